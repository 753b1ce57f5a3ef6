"""manage.py tmdb_double: serve the TMDB test double in the foreground for demos and benchmarks."""

import time

from django.core.management.base import BaseCommand

from enrichment.tmdb.catalogue import builtin_catalogue, synthetic_catalogue
from enrichment.tmdb.double import FAULT_KINDS, TmdbDouble


class Command(BaseCommand):
    help = "Serve a TMDB API v3 test double on 127.0.0.1 until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8800)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
        parser.add_argument("--rate-limit", type=float, default=0.0, help="requests/s per sliding second; 0 = none")
        parser.add_argument("--bare-429", action="store_true", help="429s without Retry-After or body, like the CDN")
        parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests given a fault, 0..1")
        parser.add_argument("--faults", default=",".join(FAULT_KINDS), help=f"comma-separated, from {FAULT_KINDS}")
        parser.add_argument("--stall-seconds", type=float, default=30.0)
        parser.add_argument("--synthetic", type=int, default=0, help="add N synthetic films to the built-in ones")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--demo", action="store_true", help="answer any unknown title with a made-up film of that title and year"
        )
        parser.add_argument("--api-key", default="double-api-key")
        parser.add_argument("--read-token", default="double-read-token")

    def handle(self, *args, **options) -> str:
        catalogue = builtin_catalogue()
        if options["synthetic"]:
            catalogue = catalogue + synthetic_catalogue(options["synthetic"], seed=options["seed"])
        double = TmdbDouble(
            catalogue,
            port=options["port"],
            seed=options["seed"],
            api_key=options["api_key"],
            read_token=options["read_token"],
            latency=options["latency"],
            rate_limit=options["rate_limit"],
            bare_429=options["bare_429"],
            fault_rate=options["fault_rate"],
            faults=tuple(f for f in options["faults"].split(",") if f),
            stall_seconds=options["stall_seconds"],
            demo=options["demo"],
        )
        with double:
            made_up = " (and a made-up film for any other title: demo mode)" if options["demo"] else ""
            self.stdout.write(f"TMDB double serving {len(catalogue.movies)} films{made_up} at {double.url}")
            self.stdout.write("Point lbstats at it with:")
            self.stdout.write(f"  export TMDB_API_URL={double.url}")
            self.stdout.write(f"  export TMDB_READ_TOKEN={double.config.read_token}")
            self.stdout.write(f"Counters: curl http://127.0.0.1:{double.port}/__double__/stats")
            self.stdout.flush()
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
            stats = double.stats()
        return f"TMDB double stopped after {stats['requests']} requests ({stats['rate_limited']} rate limited)."
