"""The ambassador's kit: items (:mod:`.items`), their stored files (:mod:`.files`),
members' tracked share links and the points they earn (:mod:`.sharing`), and the clicks
the redirect counts (:mod:`.clicks`)."""
