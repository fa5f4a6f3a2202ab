"""`jobboard demo`: fill a development board with a few hundred sample postings of every section, their
owners and photos, so that `jobboard serve` shows a living board at once.

Each section's sample postings come from its declaration (`Section.samples`), their texts, places and tags
from the relevance corpus where it writes that section (indexer/relevance/corpus.py: postings as restaurants
and workers write them, in five cities); they are written through the
one posting-write path (rows and outbox, models/posting_writes.py), each section in one transaction. The
photos are the JPEGs beside this module, stored as uploads are (the local storage serves them under
/uploads/). The owners are development users: log in as one with login_code `test:demo-<section>-<n>`.
A second run adds nothing: a section that already has its demo owners is left as it is.
Refused with APP_ENV=production. Indexed by the next `jobboard serve` (its embedded engine rebuilds at
start, its drainer takes the outbox), or at once when ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from datetime import datetime

from indexer.relevance.corpus import GENERATORS, NOW as CORPUS_NOW
from models.posting_writes import create_posting, posting_transaction
from models.user import User
from runtime import clock
from runtime.settings import ConfigError
from sections import Section, all_sections
from indexer.command_line import apply_migrations, database, index_now
from server.providers.storage import build_storage
from server.providers.wechat_login import DevLogin

PHOTOS = Path(__file__).with_name("demo_photos")
# Kept by the database or set by the write path, never copied from a sample row.
_NOT_COPIED = {"id", "create_at", "update_at", "version"}
POSTINGS_PER_OWNER = 5


def add_parser(commands) -> None:
    p = commands.add_parser("demo", help="fill a development board with sample postings (idempotent)",
                            description=__doc__)
    p.add_argument("--postings", type=_at_least_one, default=120, help="postings per section (default: 120)")
    p.add_argument("--seed", type=int, default=31, help="the random seed: the same seed, the same board")
    p.set_defaults(run=run)


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number, 1 or more")
    return int(text)


async def run(args, settings) -> int:
    if settings.app_env == "production":
        raise ConfigError("jobboard demo fills a development board with made-up postings: not with APP_ENV=production")
    await apply_migrations(settings)
    storage = build_storage(settings)
    try:
        photos = [await storage.put(f"img/0_{number}.jpg", path.read_bytes(), "image/jpeg")
                  for number, path in enumerate(sorted(PHOTOS.glob("*.jpg")), 1)]
    finally:
        await storage.close()
    rng = random.Random(args.seed)
    async with database(settings):
        for section in all_sections():
            if section.samples is None:
                print(f"{section.name}: no sample postings declared")
                continue
            added = await fill(section, rng, args.postings, photos)
            print(f"{section.name}: {added} postings added" if added else f"{section.name}: already filled")
        await index_now(settings)
    return 0


async def fill(section: Section, rng: random.Random, count: int, photos: list[str]) -> int:
    """`count` sample postings of `section` with their owners, in one transaction; 0 if it has them already."""
    # A few postings per owner (under any open-postings cap), or one each where a person has one (a card).
    owners_needed = count if section.one_open_per_user else max(1, -(-count // POSTINGS_PER_OWNER))
    names = [f"demo-{section.name}-{n}" for n in range(owners_needed)]
    login = DevLogin()
    if await User.exists(openid=(await login.identify(f"test:{names[0]}")).openid):
        return 0
    now = clock.now()
    async with posting_transaction():
        owners = [await User.create(openid=(await login.identify(f"test:{name}")).openid,
                                    phone=await login.phone_number(f"test:{name}"), name=name,
                                    create_at=now, update_at=now) for name in names]
        rows = section.samples(count, [owner.id for owner in owners], rng.randrange(1 << 31))
        written = _written(section, count, rng.randrange(1 << 31), now)
        for number, row in enumerate(rows):
            fields = {name: getattr(row, name) for name in row._meta.db_fields if name not in _NOT_COPIED}
            if written:
                fields.update(written[number])
            # Round the owners, whatever the declaration does with them (one may give its first all).
            fields.update(user_id=owners[number % len(owners)].id,
                          photo_urls=rng.sample(photos, rng.choice((0, 1, 1, 2, 3))))
            await create_posting(type(row), fields.pop("create_at", None) or row.create_at or now, **fields)
    return len(rows)


def _written(section: Section, count: int, seed: int, now: datetime) -> list[dict]:
    """The corpus's postings of the section (none for a section it does not write), their times moved from
    the corpus's "now" to ours; what the corpus does not say keeps the sample row's value."""
    generate = GENERATORS.get(section.name)
    if generate is None:
        return []
    shift = now - CORPUS_NOW
    written = []
    for posting in generate(count, seed):
        fields = {name: value for name, value in posting["fields"].items()
                  if name not in ("id", "user_id", "photo_urls", "update_at", "version")}
        written.append({name: value + shift if isinstance(value, datetime) else value
                        for name, value in fields.items()})
    return written
