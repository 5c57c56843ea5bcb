"""Who may do what. Every view asks these questions; nothing else decides access."""
from __future__ import annotations

from dataclasses import dataclass

ADMIN, STAFF, OPERATOR, REVIEWER = "admin", "staff", "operator", "reviewer"
ROLES = (ADMIN, STAFF, OPERATOR, REVIEWER)


@dataclass(frozen=True)
class Actor:
    """The logged-in account, as the views see it (never the password hash)."""

    account_id: int
    username: str
    role: str
    organization_id: str | None

    def can_read(self, organization_id: str | None) -> bool:
        """Operators read every listing (they refer callers to any centre); staff only their own."""
        if self.role in (ADMIN, OPERATOR):
            return True
        return self.role == STAFF and organization_id is not None and organization_id == self.organization_id

    def can_write(self, organization_id: str | None) -> bool:
        if self.role == ADMIN:
            return True
        return self.role == STAFF and organization_id is not None and organization_id == self.organization_id

    @property
    def can_manage_accounts(self) -> bool:
        return self.role == ADMIN

    @property
    def can_sign_topics(self) -> bool:
        """Only a legal reviewer signs: an admin creates reviewer accounts but cannot vouch for the law."""
        return self.role == REVIEWER

    @property
    def can_see_reviews(self) -> bool:
        return self.role in (REVIEWER, ADMIN)

    @property
    def can_flag_topics(self) -> bool:
        """Anyone responsible for the content may say the law changed; that only ever removes a signature."""
        return self.role in (REVIEWER, ADMIN)
