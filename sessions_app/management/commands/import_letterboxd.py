from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions_app.importing import import_upload
from sessions_app.letterboxd import ExportError


class Command(BaseCommand):
    help = "Import a Letterboxd export (a ZIP, or CSV files) from disk as a new session."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="the export ZIP, or one or more of its CSVs")

    def handle(self, *args, paths, **options):
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        handles = [p.open("rb") for p in paths]
        try:
            session = import_upload([(p.name, h, p.stat().st_size) for p, h in zip(paths, handles, strict=True)])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for h in handles:
                h.close()
        for warning in session.warnings:
            where = f"{warning['file']} line {warning['line']}: " if warning.get("line") else ""
            self.stderr.write(f"warning: {where}{warning['message']}")
        return (
            f"{session.public_id} imported: {session.total_movies} films, {session.viewings.count()} diary entries, "
            f"{len(session.warnings)} warnings"
        )
