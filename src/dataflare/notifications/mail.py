"""E-mail to the owners of an incident's assets, by SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from dataflare.notifications.config import Email
from dataflare.notifications.failures import DeliveryFailed
from dataflare.notifications.message import Notice, headline, plain_text


def recipients(config: Email, notice: Notice) -> list[str]:
    owners = [o.person.email for o in notice.audience.owners if o.person.email]
    return list(dict.fromkeys([*owners, *config.also_to]))


def send(config: Email, notice: Notice, timeout: float) -> None:
    to = recipients(config, notice)
    if not to:
        return  # nobody to write to is not a failure
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = ", ".join(to)
    message["Subject"] = headline(notice)
    message["Message-ID"] = f"<dataflare-event-{notice.event.id}@dataflare>"
    message.set_content(plain_text(notice))
    try:
        with smtplib.SMTP(config.host, config.port, timeout=timeout) as smtp:
            if config.starttls:
                smtp.starttls()
            if config.username and config.password:
                smtp.login(config.username, config.password)
            smtp.send_message(message)
    except smtplib.SMTPResponseException as error:
        # 4xx answers are temporary by SMTP's own rules; 5xx are not.
        text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
        raise DeliveryFailed(text, permanent=error.smtp_code >= 500) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(f"the SMTP server could not be reached: {error}") from error
