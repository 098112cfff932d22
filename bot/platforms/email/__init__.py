"""E-mail, an outbound platform: neutral messages become MIME mail sent over SMTP."""
