"""Training-only variation of city parameters: read the description, not the parameter's name.

Quality run 15 found the commonest wrong value on BFCL was a state or country that nobody asked
for: "Austin, TX" for "Austin", "Seattle, WA" for "Seattle, Washington", "Sydney, Australia" for
a parameter described as "The name of the city". The data taught it. Every training parameter
named `location` asked for "city, state" (the US_CITIES tools), every plain-city parameter was
named `city`, and no request ever said a region for a plain-city parameter. So the model learned
"`location` or a comma means add the state" instead of reading the description.

Two changes to finished training records teach the difference (dev, test and unseen tools are
never touched, so their scores stay comparable across data versions):

- some tools get their plain `city` parameter renamed `location`, its description saying a city
  name (`LOCATION_NOTES`): the name alone no longer implies a state;
- some requests name a plain city with its region ("Denver, Colorado", "Denver, CO",
  "Oslo, Norway") while the value stays the city ("Denver"): a region in the request is not a
  reason to write one when the description asks for a city.

Each record draws from its own generator (seeded by data seed and record id), so a record that
is not changed stays byte for byte what it was, and so does every other split.
"""

from __future__ import annotations

import random
import re

from funcall_lib.synth_pools import CITIES
from funcall_lib.synth_proc_vocab import POOLS

RENAME_RATE = 0.35   # share of records whose tools' plain `city` parameters become `location`
REGION_RATE = 0.3    # share of plain-city values said with their region in the request

# Descriptions of a plain-city `location` (no example is a pool city).
LOCATION_NOTES = ("The city name, e.g. Tulsa", "Name of the city", "The city, such as Reno",
                  "City name only, without state or country", "The city where to look",
                  "The name of the city, e.g. Fresno")

US_STATES = {"CO": "Colorado", "WA": "Washington", "TX": "Texas", "MA": "Massachusetts",
             "FL": "Florida", "AZ": "Arizona", "GA": "Georgia", "OR": "Oregon", "TN": "Tennessee",
             "MN": "Minnesota", "MI": "Michigan", "NV": "Nevada", "UT": "Utah",
             "PA": "Pennsylvania", "LA": "Louisiana", "MD": "Maryland", "MO": "Missouri",
             "NC": "North Carolina", "CA": "California", "HI": "Hawaii", "NM": "New Mexico",
             "WI": "Wisconsin", "ID": "Idaho", "AK": "Alaska", "IL": "Illinois"}
COUNTRY_OF = {"Oslo": "Norway", "Paris": "France", "Tokyo": "Japan", "Nairobi": "Kenya",
              "Lima": "Peru", "Toronto": "Canada", "Madrid": "Spain", "Berlin": "Germany",
              "Sydney": "Australia", "Cairo": "Egypt", "Mumbai": "India", "Seoul": "South Korea",
              "Lisbon": "Portugal", "Buenos Aires": "Argentina", "Istanbul": "Turkey",
              "Reykjavik": "Iceland", "Hanoi": "Vietnam", "Dublin": "Ireland",
              "Vancouver": "Canada", "Cape Town": "South Africa", "Zürich": "Switzerland",
              "São Paulo": "Brazil", "Kraków": "Poland", "Mexico City": "Mexico",
              "Amsterdam": "Netherlands", "Prague": "Czech Republic", "Auckland": "New Zealand",
              "Helsinki": "Finland", "Marrakesh": "Morocco", "Bogotá": "Colombia", "Osaka": "Japan",
              "Edinburgh": "Scotland", "Montréal": "Canada"}


def _regions() -> dict[str, tuple[str, ...]]:
    """City -> the ways a request may name its region: a US state in full and abbreviated, or
    a country."""
    regions = {}
    for item in POOLS["US_CITIES"]:
        city, _, value = item.partition("|")
        abbr = value.rpartition(", ")[2]
        regions[city] = (US_STATES[abbr], abbr)
    regions["Chicago"] = ("Illinois", "IL")
    for city in CITIES:
        if city in COUNTRY_OF:
            regions[city] = (COUNTRY_OF[city],)
    return regions


REGIONS = _regions()


def vary_cities(record: dict, seed: int) -> dict:
    """The record with its plain-city parameters varied as the module says (in place)."""
    rng = random.Random(f"cities:{seed}:{record['id']}")
    if rng.random() < RENAME_RATE:
        _rename_city_params(record, rng)
    _say_regions(record, rng)
    return record


def record_calls(record: dict) -> list[dict]:
    """Every tool call of the record: earlier assistant turns and the answer."""
    calls = [c for m in record["messages"] for c in m.get("tool_calls") or []]
    return calls + list(record["answer"].get("tool_calls") or [])


def _is_plain_city(prop: dict) -> bool:
    """A string wanting a city alone: no enum, no "state" or "country" in its description. That
    test also keeps out one of our own notes ("... without state or country"), so no region is
    said for it; data v9 was measured that way (run 16), and changing it changes the corpus."""
    description = prop.get("description", "").lower()
    return prop.get("type") == "string" and "enum" not in prop and "state" not in description \
        and "country" not in description


def _rename_city_params(record: dict, rng: random.Random) -> None:
    renamed = set()
    for tool in record["tools"]:
        params = tool["parameters"]
        props = params["properties"]
        if "location" in props or not _is_plain_city(props.get("city", {})):
            continue
        note = rng.choice(LOCATION_NOTES)
        params["properties"] = {("location" if k == "city" else k): ({**v, "description": note} if k == "city" else v)
                                for k, v in props.items()}
        params["required"] = ["location" if k == "city" else k for k in params.get("required", [])]
        renamed.add(tool["name"])
    for call in record_calls(record):
        if call["name"] in renamed:
            call["arguments"] = {("location" if k == "city" else k): v for k, v in call["arguments"].items()}


def _say_regions(record: dict, rng: random.Random) -> None:
    """Name a plain city's region in the last user turn, where the city is said exactly once
    and no other argument holds it."""
    props_of = {t["name"]: t["parameters"]["properties"] for t in record["tools"]}
    plain, other = set(), set()
    for call in record_calls(record):
        for key, value in call["arguments"].items():
            prop = props_of.get(call["name"], {}).get(key, {})
            is_city = isinstance(value, str) and value in REGIONS and _is_plain_city(prop)
            (plain if is_city else other).add(value if isinstance(value, str) else repr(value))
    user = next((m for m in reversed(record["messages"]) if m["role"] == "user"), None)
    if user is None:
        return
    for city in sorted(plain):
        if any(city in v for v in other):
            continue
        name = re.escape(city)
        said = re.compile(rf"(?<!\w){name}(?![\w,'’])")  # not "Denver," nor "Denver's"
        if len(re.findall(rf"(?<!\w){name}(?!\w)", user["content"])) != 1 or not said.search(user["content"]) \
                or rng.random() >= REGION_RATE:
            continue
        region = rng.choice(REGIONS[city])
        user["content"] = said.sub(lambda m: f"{m.group(0)}, {region}", user["content"], count=1)
