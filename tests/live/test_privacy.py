"""Privacy: deleting a workshop's data, and logs without names or free text."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.live.harness import Client, Facilitator, Server, join
from workshop.core import live_models as m
from workshop.db import Database


def test_facilitator_deletes_everything_said_in_a_workshop(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    keep = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phone = Client(server, {"token": join(server, workshop["code"], name="Dr Secret")["token"]}).connect()
    join(server, keep["code"])
    console.call("phase.set", {"phase": "discuss"})
    item = phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phone.call("proposal.submit", {"kind": "reword", "change": {"item_id": item["id"], "stem": "My words"}})
    phone.call("comment.add", {"proposal_id": proposal["proposal"]["id"], "body": "a comment"})
    round_id = console.call("round.open")["round"]["id"]
    phone.call(
        "vote.cast", {"round_id": round_id, "subject": f"proposal:{proposal['proposal']['id']}", "value": "agree"}
    )

    assert facilitator.http.delete(server.url + f"/api/workshops/{workshop['id']}", timeout=5).status_code == 400, (
        "without the CSRF token nothing is deleted"
    )
    response = facilitator.http.delete(
        server.url + f"/api/workshops/{workshop['id']}", headers={"X-CSRF-Token": facilitator.csrf}, timeout=5
    )
    assert response.status_code == 200 and response.json()["participants"] == 1

    database = Database(server.database_url)
    with database.read() as s:
        for table in (m.Participant, m.Proposal, m.Comment, m.Round, m.Vote, m.OpRecord, m.WorkshopEvent):
            column = table.workshop_id if hasattr(table, "workshop_id") else None
            total = s.scalar(select(func.count()).select_from(table))
            if table is m.Participant:
                assert total == 1, "the other workshop's participant stays"
            elif column is not None:
                assert s.scalar(select(func.count()).where(column == workshop["id"])) == 0, table.__name__
            else:
                assert total == 0, table.__name__
        assert s.get(m.Workshop, workshop["id"]) is None and s.get(m.Workshop, keep["id"]) is not None
    database.dispose()
    assert facilitator.http.get(server.url + f"/api/workshops/{workshop['id']}/qr.svg", timeout=5).status_code == 404


def test_server_log_holds_no_names_or_free_text(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phone = Client(server, {"token": join(server, workshop["code"], name="Dr Zebedee Quill")["token"]}).connect()
    console.call("phase.set", {"phase": "discuss"})
    item = phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    phone.call(
        "proposal.submit", {"kind": "reword", "change": {"item_id": item["id"], "stem": "Xylophone burnout text"}}
    )
    phone.call("proposal.submit", {"kind": "reword", "change": {"item_id": "missing", "stem": "Quokka refused text"}})
    phone.sio.call("comment.add", "Marmalade not an object", timeout=5)
    server.stop()
    log = server.log_path.read_text()
    for secret in ("Zebedee", "Xylophone", "Quokka", "Marmalade"):
        assert secret not in log
