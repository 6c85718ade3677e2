"""The workspaces a database knows: those that installed hotleads or have used it."""

from __future__ import annotations

from storage.engine import Connection


async def known(conn: Connection) -> list[str]:
    """Team ids with an installation, settings, cached people or leads, in order.

    An operator's command naming a team (``hooks new --team``) is checked against
    these, so a typo never makes a hook that feeds leads into no workspace.
    """
    rows = await conn.fetchall(
        "SELECT team_id FROM installations UNION SELECT team_id FROM workspace_settings"
        " UNION SELECT team_id FROM slack_users UNION SELECT team_id FROM leads"
        " ORDER BY team_id"
    )
    return [row[0] for row in rows]
