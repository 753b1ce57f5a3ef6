from django.core.management.base import BaseCommand, CommandError

from enrichment import services, worker
from sessions_app.models import Session

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Identify a session's films on TMDB: pending ones, unmatched ones again, or all of them."

    def add_arguments(self, parser):
        parser.add_argument("session", help="the session id (UUID)")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--retry-unmatched", action="store_true", help="also retry ambiguous, not found and failed films"
        )
        which.add_argument("--all", action="store_true", help="identify every film again (manual corrections are kept)")
        parser.add_argument("--wait", action="store_true", help="do the work in this process and show a progress bar")

    def handle(self, *args, session, retry_unmatched, all, wait, **options):
        try:
            target = Session.objects.get(public_id=session)
        except (Session.DoesNotExist, ValueError) as exc:
            raise CommandError(f"No session {session}.") from exc
        try:
            services.require_credentials()
            if retry_unmatched or all:
                done = services.reenrich(target, everything=all, enqueue=not wait)
                self.stdout.write(done.message)
            else:
                services.start(target, enqueue=not wait)
        except services.TmdbError as exc:
            raise CommandError(str(exc)) from exc
        if not wait:
            return f"{target.public_id}: queued for the workers (manage.py qcluster)"
        while worker.run(target.pk, budget=2.0):
            self.show(target)
        self.show(target)
        self.stdout.write("")
        target.refresh_from_db()
        if target.status == Session.Status.FAILED:
            raise CommandError(target.error_message)
        counts = target.match_counts()
        return (
            f"{target.public_id}: {target.status}, {counts['matched'] + counts['manual']} identified, "
            f"{counts['ambiguous'] + counts['not_found']} unmatched, {counts['failed']} failed"
        )

    def show(self, session: Session) -> None:
        progress = session.progress()
        filled = int(BAR_WIDTH * progress["progress_percent"] / 100)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress['enriched_count']}/{progress['total_movies']} films",
            ending="",
        )
        self.stdout.flush()
