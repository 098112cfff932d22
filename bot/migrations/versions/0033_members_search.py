"""members search: a trigram index on the folded name, e-mail and phone (PostgreSQL)

The desk's members search looks for a substring (``LIKE '%x%'``), which no B-tree index
serves: on 100,000 members each search read the whole table. On PostgreSQL, the function
``relais_search`` folds name, e-mail and phone exactly as :func:`bot.core.text.searchable`
does on SQLite (NFKD, combining accents dropped, a few letters spelled out, lower case),
and a GIN index of its trigrams (``pg_trgm``, trusted since PostgreSQL 13: the database's
owner may create it) answers the search. SQLite has nothing to migrate: it reads the
table, with the same function registered on each connection.

Downgrading drops the index and the function; ``pg_trgm`` stays (other objects of the
database may use it, and it costs nothing unused).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: ``bot.core.text.SEARCH_LETTERS`` as this migration defines the function; changing that
#: table needs a new migration (tests/core/test_search_fold.py compares the two foldings).
LETTERS = {
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
    "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "ı": "i", "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t",
    "‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-",
}  # fmt: skip
HAYSTACK = "coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _folded(expression: str) -> str:
    """``searchable``'s steps in SQL: NFKD, accents (U+0300–U+036F) dropped, the
    letters replaced (one for one by ``translate``, the longer ones by ``replace``),
    lower case."""
    single = {letter: plain for letter, plain in LETTERS.items() if len(plain) == 1}
    folded = f"regexp_replace(normalize({expression}, NFKD), '[\\u0300-\\u036f]', '', 'g')"
    letters, plains = _literal("".join(single)), _literal("".join(single.values()))
    folded = f"translate({folded}, {letters}, {plains})"
    for letter, plain in LETTERS.items():
        if len(plain) > 1:
            folded = f"replace({folded}, {_literal(letter)}, {_literal(plain)})"
    return f"lower({folded})"


# One SELECT of one expression, every function in it immutable: PostgreSQL inlines it,
# in the index's expression and in the query's alike. ASCII (as many bytes as characters)
# needs only lower case, which spares the rest for almost every member.
FUNCTION = f"""
CREATE FUNCTION relais_search(name varchar, email varchar, phone varchar) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN octet_length({HAYSTACK}) = char_length({HAYSTACK})
THEN lower({HAYSTACK}) ELSE {_folded(HAYSTACK)} END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(FUNCTION)
    op.execute(
        "CREATE INDEX ix_members_search ON members "
        "USING gin (relais_search(display_name, email, phone) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_members_search")
    op.execute("DROP FUNCTION IF EXISTS relais_search(varchar, varchar, varchar)")
