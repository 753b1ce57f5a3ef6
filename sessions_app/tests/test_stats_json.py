"""The statistics as JSON: the dashboard's own figures, the same as the page's, all time and for a year."""

import re

import pytest
from django.urls import reverse

from sessions_app.tests.test_figures import a_library_with_every_trap

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r"<div><dt>([^<]+)</dt><dd>(.*?)</dd>")
TAG = re.compile(r"<[^>]+>")


def page_figures(client, session, year=None) -> dict[str, str]:
    """The overview's figures as the dashboard page prints them: {label: text}. The overview comes first; a
    later section may reuse a label for its own scope (a year's "Reviewed" in new vs old)."""
    url = reverse("sessions_app:session", args=[session.public_id]) + (f"?year={year}" if year else "")
    response = client.get(url)
    assert response.status_code == 200
    figures: dict[str, str] = {}
    for label, value in FIGURE.findall(response.content.decode()):
        figures.setdefault(label, TAG.sub("", value))
    return figures


def stats_json(client, session, query=""):
    return client.get(f"/api/session/{session.public_id}/stats{query}")


def test_all_time_figures_are_the_pages(client, tmdb_double):
    session = a_library_with_every_trap()

    answer = stats_json(client, session)
    page = page_figures(client, session)

    assert answer.status_code == 200
    o = answer.json()["dashboard"]["overview"]
    expected = {"films": 5, "entries": 6, "minutes": 670, "hours": 11, "average_rating": 3.5, "rated": 4}
    assert {k: o[k] for k in expected} == expected
    assert (o["liked"], o["reviewed"], o["watchlist"], o["identified"], o["basis"]) == (2, 3, 3, 4, "library")
    assert page["Films watched"] == str(o["films"])
    assert page["Diary entries"] == str(o["entries"])
    assert page["Hours watched"] == str(o["hours"])
    assert page["Average rating"] == f"{o['average_rating']:.2f}"
    assert (page["Liked"], page["Reviewed"], page["Watchlist"]) == (str(o["liked"]), str(o["reviewed"]), "3")
    assert page["Identified on TMDB"] == f"{o['identified_percent']}%" == "80.0%"


def test_a_years_figures_are_the_year_pages(client, tmdb_double):
    session = a_library_with_every_trap()

    answer = stats_json(client, session, "?year=2021")
    page = page_figures(client, session, 2021)

    d = answer.json()["dashboard"]
    o = d["overview"]
    assert (d["year"], d["years"]) == (2021, [2020, 2021])
    assert (o["films"], o["entries"], o["minutes"], o["hours"], o["average_rating"]) == (2, 2, 155, 3, 4.5)
    assert (o["liked"], o["reviewed"], o["basis"]) == (2, 1, "diary")
    assert page["Films watched"] == "2" and page["Diary entries"] == "2" and page["Hours watched"] == "3"
    assert page["Average rating"] == "4.50" and page["Reviewed"] == "1"
    assert d["time"]["per_month"][:3] == [["2021-01", 0], ["2021-02", 0], ["2021-03", 1]]
    assert [g["name"] for g in d["genres"]["most_watched"]] == ["Drama", "Science Fiction"]


def test_the_json_holds_the_watchlist_pages_figures(client):
    session = a_library_with_every_trap()

    w = stats_json(client, session).json()["watchlist"]

    assert (w["films"], w["minutes"], w["films_without_runtime"], w["basis"]) == (3, 300, 1, "watchlist")
    assert [p["film"]["title"] for p in w["picks"]] == ["Wanted", "Also Wanted"]


def test_a_year_without_entries_or_not_a_year_is_refused_in_json(client):
    session = a_library_with_every_trap()

    missing = stats_json(client, session, "?year=1999")
    garbled = stats_json(client, session, "?year=last")

    assert missing.status_code == 404
    assert missing.json() == {"detail": "Your diary has no entries in 1999. Years with entries: 2020, 2021."}
    assert garbled.status_code == 400 and garbled.json() == {"detail": "year must be a year such as 2024, not 'last'."}


def test_an_unknown_session_has_no_statistics(client):
    answer = client.get("/api/session/00000000-0000-4000-8000-000000000000/stats")

    assert answer.status_code == 404 and "detail" in answer.json()


def test_the_openapi_schema_documents_the_statistics(client):
    schema = client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/session/{session_id}/stats"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    overview = body["properties"]["dashboard"]["properties"]["overview"]["properties"]
    assert overview["hours"] == {"type": "integer", "readOnly": True}
    assert {p["name"] for p in operation["parameters"]} >= {"session_id", "year"}
    assert "picks" in body["properties"]["watchlist"]["properties"]
