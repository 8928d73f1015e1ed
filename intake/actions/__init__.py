"""The intake's entry points: the service accounts, a signalement sent by a source, a spreadsheet import."""

from intake.actions.accounts import create_account, revoke_account

__all__ = ["create_account", "revoke_account"]
