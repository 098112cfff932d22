"""The member card and the partners who honour it: issuing and revoking cards, their
signed QR links, the card image, partners and their benefits by level, and the uses
partners record."""
