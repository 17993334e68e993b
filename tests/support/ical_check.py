#!/usr/bin/python3
"""Reads an iCalendar feed on stdin with an independent parser (Debian's python3-icalendar)
and prints what it found as JSON: the time zones, and every VEVENT with its UID, summary,
start (UTC), RRULE, EXDATEs and its first occurrences expanded with dateutil in the event's
own zone (so daylight-saving changes are applied by the tz database, not by the feed).

usage: ical_check.py <how many occurrences to expand> < feed.ics
"""
import datetime
import json
import sys
import zoneinfo

import icalendar
from dateutil import rrule

UTC = datetime.timezone.utc


def zone_of(prop):
    tzid = prop.params.get("TZID")
    return zoneinfo.ZoneInfo(tzid) if tzid else None


def aware(prop):
    """The property's value as an aware datetime (or a date), in the zone its TZID names."""
    value = prop.dt
    if isinstance(value, datetime.datetime):
        zone = zone_of(prop)
        if zone is not None:
            return value.replace(tzinfo=None).replace(tzinfo=zone)
        if value.tzinfo is None:
            raise ValueError("floating time in the feed: " + prop.to_ical().decode())
    return value


def text(value):
    return value.isoformat() if isinstance(value, datetime.date) and not isinstance(
        value, datetime.datetime) else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    expand = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    calendar = icalendar.Calendar.from_ical(sys.stdin.read())
    out = {"version": str(calendar.get("VERSION")), "prodid": str(calendar.get("PRODID")),
           "timezones": [str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")], "events": []}
    for event in calendar.walk("VEVENT"):
        start = aware(event["DTSTART"])
        item = {"uid": str(event["UID"]), "summary": str(event.get("SUMMARY", "")),
                "dtstamp": text(event["DTSTAMP"].dt), "start": text(start),
                "all_day": not isinstance(start, datetime.datetime),
                "tzid": event["DTSTART"].params.get("TZID"),
                "rrule": event["RRULE"].to_ical().decode() if "RRULE" in event else None,
                "exdates": [], "occurrences": []}
        exdates = event.get("EXDATE")
        for group in (exdates if isinstance(exdates, list) else [exdates] if exdates else []):
            zone = zone_of(group)
            for d in group.dts:
                value = d.dt.replace(tzinfo=None).replace(tzinfo=zone) if zone else d.dt
                item["exdates"].append(text(value))
        if item["rrule"]:
            first = start if isinstance(start, datetime.datetime) else datetime.datetime(
                start.year, start.month, start.day)
            rules = rrule.rrulestr(item["rrule"], dtstart=first)
            excluded = set(item["exdates"])
            for occurrence in rules:
                if len(item["occurrences"]) >= expand:
                    break
                value = occurrence if item["all_day"] is False else occurrence.date()
                if text(value) not in excluded:
                    item["occurrences"].append(text(value))
        out["events"].append(item)
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
