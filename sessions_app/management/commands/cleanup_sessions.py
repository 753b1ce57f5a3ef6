from django.core.management.base import BaseCommand

from sessions_app.models import Session


class Command(BaseCommand):
    help = "Delete sessions whose expiry (30 days after their last access) has passed."

    def handle(self, *args, **options):
        return f"{Session.objects.delete_expired()} expired sessions deleted"
