import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions_app.importing import import_upload
from sessions_app.letterboxd import ExportError
from sessions_app.models import Session
from sessions_app.updating import OlderExport, update_from_upload


class Command(BaseCommand):
    help = (
        "Import a Letterboxd export (a ZIP, or CSV files) from disk as a new session, "
        "or (--into SESSION) load a newer export into an existing session."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="the export ZIP, or one or more of its CSVs")
        parser.add_argument("--into", metavar="SESSION", help="the session (its public id) to load the export into")
        parser.add_argument(
            "--replace", action="store_true", help="with --into: load the export even if it is older than the session's"
        )

    def handle(self, *args, paths, into=None, replace=False, **options):
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        session = self._session(into) if into else None
        handles = [p.open("rb") for p in paths]
        uploads = [(p.name, h, p.stat().st_size) for p, h in zip(paths, handles, strict=True)]
        try:
            if session is None:
                session = import_upload(uploads)
            else:
                update_from_upload(session, uploads, replace=replace)
                session.refresh_from_db()
        except (ExportError, OlderExport) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for h in handles:
                h.close()
        for warning in session.warnings:
            where = f"{warning['file']} line {warning['line']}: " if warning.get("line") else ""
            self.stderr.write(f"warning: {where}{warning['message']}")
        summary = (
            f"{session.public_id} {'updated' if into else 'imported'}: {session.total_movies} films, "
            f"{session.viewings.count()} diary entries, {len(session.warnings)} warnings"
        )
        changes = session.uploads[-1]["since_last"] if into else None
        if changes:
            summary += "; since the last upload: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
        return summary

    def _session(self, public_id: str) -> Session:
        session = Session.objects.active().filter(public_id=public_id).first() if _is_uuid(public_id) else None
        if session is None:
            raise CommandError(f"No live session {public_id}.")
        return session


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
