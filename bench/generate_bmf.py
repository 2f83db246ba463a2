"""Generate a large, realistic synthetic IRS EO BMF extract for benchmarks.

Usage:
    python bench/generate_bmf.py --rows 2000000 --out /tmp/bmf2m.csv [--seed 42]
        [--vocab-from ../shared/registries/us/irs_eo_bmf] [--messy]

Everything is learned from the real state files (eo_*.csv) found in --vocab-from, so the output has
the same byte format (CRLF, ASCII, minimal quoting) and the same value distributions as the IRS file.

Names are the part that matters most for search benchmarks, and they are the hardest to fake: random
letters make trigram/fuzzy indexes behave unrealistically (no shared vocabulary, no common suffixes
such as INC or FOUNDATION), while copying real names gives only ~30k distinct values. So names come
from a word-level Markov chain trained on the distinct real names. Each step uses the two previous
words as context with probability ORDER2 and only the previous word otherwise: order 2 alone mostly
replays real names, order 1 alone drifts into word salad ("CHURCH OF BOARDS IN ACTION"). The walk
draws a target length from the real length distribution and only stops at a word that really ends
names, so it yields "X FOUNDATION INC" rather than "FRIENDS OF THE". Two kinds of slot widen the
vocabulary beyond the ~30k sample names: digit runs are refilled at random ("AMERICAN LEGION POST
4127"), and words seen in only one or two names (surnames, invented brands) share one slot filled
from all of them ("HEXNER FOUNDATION" -> "DRESNER FOUNDATION"). Exact real names are mostly rejected
and short names need a distinctive word, otherwise generic paths ("RHODE ISLAND INC") repeat far more
than they do in real data. With the defaults about 80% of 2M names are distinct (real sample: 86% of
35k). SORT_NAME (chapter or DBA) uses a second chain trained on real sort names.

The other columns are copied as one block from a randomly chosen real row (so GROUP, SUBSECTION,
FOUNDATION, NTEE_CD, TAX_PERIOD... stay mutually consistent), and the address from another one,
with house/PO box numbers and ZIP+4 re-randomised. Amounts are drawn log-uniformly inside the row's
ASSET_CD/INCOME_CD band, so the overall distribution keeps the real heavy tail and always agrees
with the codes. EINs are sorted (like the IRS file), unique, and use the real EIN prefix mix.

The output is streamed and deterministic for a given --seed and vocabulary. With --messy about
1 row in 100,000 is broken the way real feeds break (short row, stray comma, repeated EIN); those
decisions use their own RNG, so all other rows are identical to the clean output.
"""

import argparse
import csv
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from pathlib import Path

HEADER_LINE = (
    "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,"
    "DEDUCTIBILITY,FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,"
    "PF_FILING_REQ_CD,ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
)
HEADER = HEADER_LINE.split(",")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VOCAB = "../shared/registries/us/irs_eo_bmf"
FALLBACK_VOCAB = Path("/work/shared/registries/us/irs_eo_bmf")

ORDER2 = 0.6  # share of steps using two words of context; see the docstring
MIN_END_PROB = 0.03  # a word must end at least this share of real names to end a generated one
SURE_END = 0.95  # words like INC end a name even before the length target ("X INC Y" is very rare)
KEEP_REAL = 0.1  # share of exact real names kept; replaying all of them would cap distinct names at ~30k
SHORT_NAME = 3  # names up to this many words need a distinctive word
RARE_WORD = 2  # a word in at most this many real names becomes the open-vocabulary slot
COMMON_WORD = 20  # a word in at least this many real names is not distinctive
MAX_WORDS = 18  # the longest real names have 18 words
START, END = "<s>", "</s>"
NUMBER, RARE = "\x00", "\x01"  # slot markers; control characters never occur in the names
BAND_FLOORS = (0, 1, 10_000, 25_000, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000)
EIN_BLOCK = 10**7  # EINs are a 2-digit prefix followed by 7 digits
MESSY_RATE = 1e-5
COMMA_INC = 1e-3  # share of "X INC" names written "X,INC" (valid CSV, but it exercises the quoting)


class NameModel:
    """Mixed order-1/order-2 word Markov chain with a length target (see the module docstring)."""

    def __init__(self, names: Collection[str], rng: random.Random) -> None:
        self._rng = rng
        self._real = set(names)
        names_words = [name.split() for name in sorted(self._real)]
        word_df = Counter(w for words in names_words for w in set(words))
        # Words seen in one or two names (surnames, invented brands) stand for the open vocabulary: they
        # become one slot, filled from all of them, so "HEXNER FOUNDATION" also yields "DRESNER FOUNDATION".
        self._rare_words = sorted(w for w, n in word_df.items() if n <= RARE_WORD and not w.isdigit())
        # context -> (successor words with multiplicity, share of continuations that end the name);
        # lists with repeats make each draw a single O(1) rng.choice.
        succ: dict[object, list[str]] = defaultdict(list)
        self._lengths: list[int] = []
        token_df: Counter[str] = Counter()
        for words in names_words:
            tokens = [_number_placeholder(w) if w.isdigit() else RARE if word_df[w] <= RARE_WORD else w for w in words]
            if not tokens:
                continue
            self._lengths.append(len(tokens))
            token_df.update(set(tokens))
            seq = [START, START, *tokens, END]
            for i in range(2, len(seq)):
                succ[seq[i - 1]].append(seq[i])
                succ[(seq[i - 2], seq[i - 1])].append(seq[i])
        if not self._lengths:
            raise ValueError("no names to learn from")
        self._common = {w for w, n in token_df.items() if n >= COMMON_WORD and w != RARE}
        self._ctx = {ctx: ([w for w in nxt if w != END], nxt.count(END) / len(nxt)) for ctx, nxt in succ.items()}

    def generate(self) -> str:
        while True:
            name = self._walk()
            if name not in self._real or self._rng.random() < KEEP_REAL:
                return name

    def _walk(self) -> str:
        rng, ctx_table = self._rng, self._ctx
        target = rng.choice(self._lengths)
        prev2 = prev1 = START
        words: list[str] = []
        while len(words) < MAX_WORDS:
            # The chain sees only two words back, so it would happily stop at "RHODE ISLAND INC"; a short
            # name needs a distinctive word, as in "HEXNER FOUNDATION".
            may_end = len(words) > SHORT_NAME or any(w not in self._common for w in words)
            cont, p_end = ctx_table[(prev2, prev1)] if rng.random() < ORDER2 else ctx_table[prev1]
            if not cont and not may_end:  # an order-2 dead end; the wider order-1 context goes on
                cont, p_end = ctx_table[prev1]
            if not cont or (
                may_end
                and (p_end >= MIN_END_PROB if len(words) >= target else p_end >= SURE_END or rng.random() < p_end**2)
            ):
                break
            prev2, prev1 = prev1, rng.choice(cont)
            words.append(prev1)
        return " ".join(self._fill(w) if w[0] in (NUMBER, RARE) else w for w in words)

    def _fill(self, slot: str) -> str:
        if slot == RARE:
            return self._rng.choice(self._rare_words)
        if slot[1] == "0":
            return "0" + str(self._rng.randrange(10 ** (len(slot) - 2))).zfill(len(slot) - 2)
        return str(self._rng.randrange(10 ** (len(slot) - 2), 10 ** (len(slot) - 1)))


def _number_placeholder(digits: str) -> str:
    # Remember the width and a leading zero: "POST 123" and "0017 E A BLACKMORE" both look typical.
    return NUMBER + ("0" if digits[0] == "0" else "1") + "#" * (len(digits) - 1)


def find_vocab_dir(arg: str) -> Path:
    for candidate in (Path(arg), REPO_ROOT / arg, FALLBACK_VOCAB):
        if sorted(candidate.glob("eo_*.csv")):
            return candidate
    sys.exit(f"no eo_*.csv files found in {arg!r} (also tried {REPO_ROOT / arg} and {FALLBACK_VOCAB})")


def read_real_rows(vocab_dir: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    interned: dict[str, str] = {}  # the same short codes repeat endlessly; share one string each
    for path in sorted(vocab_dir.glob("eo_*.csv")):
        with path.open(newline="", encoding="ascii", errors="ignore") as fh:
            reader = csv.reader(fh)
            if next(reader, None) != HEADER:
                sys.exit(f"{path}: unexpected header")
            rows.extend([interned.setdefault(f, f) for f in row] for row in reader if len(row) == len(HEADER))
    if not rows:
        sys.exit(f"{vocab_dir}: no usable rows")
    return rows


def _int_or_none(value: str) -> int | None:
    return int(value) if value.lstrip("-").isdigit() else None


def _amount(code: str, rng: random.Random) -> str:
    band = int(code)
    if band == 0:
        return "0"
    floor = BAND_FLOORS[band]
    if band == len(BAND_FLOORS) - 1:  # open-ended top band: Pareto tail, capped near the real maximum
        return str(min(int(floor * rng.paretovariate(1.2)), 40_000_000_000))
    return str(int(floor * math.exp(rng.random() * math.log(BAND_FLOORS[band + 1] / floor))))


class RowFactory:
    def __init__(self, real: list[list[str]], rng: random.Random) -> None:
        self._rng = rng
        self._real = real
        self._names = NameModel(sorted({r[1] for r in real}), rng)
        self._sort_names = NameModel(sorted({r[27] for r in real if r[27]}), rng)
        # ICOs seen several times are institutions ("% FOUNDATION SOURCE") and are kept; one-off
        # "% FIRST [M] LAST" contacts are re-mixed so real people are not paired with fake charities.
        ico_counts = Counter(r[2] for r in real)
        self._icos_kept = {ico for ico, n in ico_counts.items() if n >= 3 or not _is_person(ico)}
        people = [ico.split()[1:] for ico in ico_counts if ico not in self._icos_kept]
        self._first = sorted({p[0] for p in people})
        self._last = sorted({p[-1] for p in people})

    def row(self, ein: str) -> list[str]:
        rng = self._rng
        tpl = rng.choice(self._real)
        addr = rng.choice(self._real)
        name = self._names.generate()
        if name.endswith(" INC") and rng.random() < COMMA_INC:
            name = name[:-4] + ",INC"  # as in "NORTH COUNTRY HOSPITAL & HEALTH CENTER,INC"; gets quoted
        sort_name = self._sort_names.generate() if tpl[27] else ""
        ico = tpl[2]
        if ico not in self._icos_kept:
            parts = ico.split()
            parts[1], parts[-1] = rng.choice(self._first), rng.choice(self._last)
            ico = " ".join(parts)
        return [
            ein, name, ico, _street(addr[3], rng), addr[4], addr[5], _zip(addr[6], rng),
            *tpl[7:23], *self._amounts(tpl), tpl[26], sort_name,
        ]  # fmt: skip

    def _amounts(self, tpl: list[str]) -> tuple[str, str, str]:
        """ASSET/INCOME/REVENUE_AMT, with blanks, signs and revenue/income relation copied from tpl."""
        rng = self._rng
        asset_cd, income_cd, asset, income, revenue = tpl[18], tpl[19], *tpl[23:26]
        new_asset = _amount(asset_cd, rng) if asset and asset_cd.isdigit() else ""
        if not (income and income_cd.isdigit()):
            return new_asset, "", ""
        new_income = int(_amount(income_cd, rng))
        if income.startswith("-"):
            new_income = -new_income
        old_income, old_revenue = _int_or_none(income), _int_or_none(revenue)
        if old_revenue is None:
            new_revenue = ""
        elif old_revenue == old_income:  # the usual case: gross receipts equal revenue
            new_revenue = str(new_income)
        else:
            share = int(abs(new_income) * rng.random())
            new_revenue = str(-share if old_revenue < 0 else share)
        return new_asset, str(new_income), new_revenue


def _is_person(ico: str) -> bool:
    parts = ico.split()
    return len(parts) in (3, 4) and parts[0] == "%" and all(p.isalpha() for p in parts[1:])


def _street(street: str, rng: random.Random) -> str:
    if street.startswith("PO BOX "):
        return f"PO BOX {rng.randrange(1, 20_000)}"
    number, _, rest = street.partition(" ")
    if number.isdigit() and rest:
        # Same number of digits keeps the look of the street (4-digit suburbs, 3-digit downtown).
        return f"{rng.randrange(10 ** (len(number) - 1), 10 ** len(number))} {rest}"
    return street


def _zip(zip_code: str, rng: random.Random) -> str:
    return f"{zip_code[:5]}-{rng.randrange(10_000):04d}" if len(zip_code) == 10 else zip_code


def eins(n: int, real: list[list[str]], rng: random.Random) -> Iterator[str]:
    """n unique EINs in ascending order, spread over prefixes in proportion to the real ones."""
    weights = Counter(r[0][:2] for r in real if len(r[0]) == 9 and r[0].isdigit())
    total, cum, done = sum(weights.values()), 0, 0
    for prefix in sorted(weights):
        cum += weights[prefix]
        count = round(n * cum / total) - done
        done += count
        if count > EIN_BLOCK:
            sys.exit(f"--rows {n} is too large for the EIN prefixes in the vocabulary")
        pos = -1
        for left in range(count, 0, -1):
            # Uniform gaps averaging the free space per remaining EIN; the cap keeps room for the rest.
            pos = min(pos + 1 + int(rng.random() * 2 * (EIN_BLOCK - 1 - pos - left) / left), EIN_BLOCK - left)
            yield f"{prefix}{pos:07d}"


def mess_up(row: list[str], prev_ein: str, rng: random.Random) -> list[str]:
    kind = rng.randrange(3)
    if kind == 0:  # truncated record
        return row[: rng.randrange(5, len(row) - 1)]
    if kind == 1:  # unquoted comma in NAME splits it into two fields
        head, _, tail = row[1].partition(" ")
        return [row[0], head, tail or "INC", *row[2:]]
    return [prev_ein, *row[1:]]  # the same EIN twice, as seen in the regional files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--vocab-from", default=DEFAULT_VOCAB, help="folder with real eo_*.csv files")
    parser.add_argument("--messy", action="store_true", help=f"break about {MESSY_RATE:.0e} of the rows")
    args = parser.parse_args()

    started = time.perf_counter()
    real = read_real_rows(find_vocab_dir(args.vocab_from))
    rng = random.Random(args.seed)
    messy_rng = random.Random(f"messy-{args.seed}")
    factory = RowFactory(real, rng)
    messy = 0
    with args.out.open("w", newline="", encoding="ascii", errors="replace", buffering=1 << 20) as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        prev_ein = ""
        for ein in eins(args.rows, real, random.Random(f"ein-{args.seed}")):
            row = factory.row(ein)
            if args.messy and prev_ein and messy_rng.random() < MESSY_RATE:
                row, messy = mess_up(row, prev_ein, messy_rng), messy + 1
            writer.writerow(row)
            prev_ein = ein
    elapsed = time.perf_counter() - started
    print(f"wrote {args.rows:,} rows ({messy} messy) to {args.out} in {elapsed:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
