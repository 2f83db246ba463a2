"""The original program's frequently asked questions, answered from the program's own settings (the answers follow
its discount, products, promise and contacts; docs/PROGRAM.md states the policies behind them)."""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from core.money import format_minor_localized


@dataclass(frozen=True)
class Answer:
    key: str  # a stable anchor: the page links to #<key>
    question: str
    paragraphs: tuple[str, ...]
    link: tuple[str, str] | None = None  # (label, url)


def _names(products: list[dict], kind: str) -> list[str]:
    return [product["name"] for product in products if product["kind"] == kind]


def _join(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return str(format_lazy(_("{head} and {last}"), head=", ".join(names[:-1]), last=names[-1]))


def program_faq(program, rules: dict) -> list[Answer]:
    """The answers, in the active language, from `program` and its published `rules` (programs.rulebook)."""
    vendor, percent = program.vendor_name, rules["discount_percent"]
    plans, add_ons = _names(rules["products"], "base_plan"), _names(rules["products"], "add_on")
    support = program.support_contact
    answers = [
        Answer(
            "eligibility",
            _("Which organisations are eligible?"),
            (
                _(
                    "Nonprofits registered with their country's regulator and in good standing, operating "
                    "not-for-profit for public benefit, with an annual operating budget of at most %(cap)s."
                )
                % {"cap": format_minor_localized(rules["budget_cap"]["amount_minor"], rules["budget_cap"]["currency"])},
                _("Not eligible: %(excluded)s. The full list, per country, is in the program's rules.")
                % {"excluded": _join([row["label"].lower() for row in rules["exclusions"]]) or _("nobody")},
            ),
        ),
        Answer(
            "products",
            _("Which products does the discount cover?"),
            (
                _("%(percent)s%% off these products on an annual subscription: %(products)s.")
                % {"percent": percent, "products": _join([row["name"] for row in rules["products"]])},
                _("Everything else, and monthly subscriptions, are bought at full price."),
            ),
        ),
        Answer(
            "education",
            _("Can schools and universities get the nonprofit discount?"),
            (_("No: primary and secondary schools, colleges and universities are not eligible."),),
            (_("See the education program"), program.education_program_url) if program.education_program_url else None,
        ),
        Answer(
            "legacy",
            _("I already have a discount from the previous nonprofit partner. What should I do?"),
            (
                _(
                    "It stays valid until the end of your current subscription term. Before your renewal, "
                    "%(vendor)s emails you that it expires; apply here to keep a discount after it."
                )
                % {"vendor": vendor},
            ),
        ),
        Answer(
            "licences",
            _("Can I add licences or change plans and keep the discount?"),
            (
                _(
                    "After using the coupon you may only add licences to your existing %(plans)s plan; the added "
                    "licences keep the discount while the coupon is active."
                )
                % {"plans": _join(plans) or _("base")},
                _("Switching from one base plan to another (%(plans)s) is not possible under the discount.")
                % {"plans": _join(plans)}
                if len(plans) > 1
                else "",
                _("Discounted add-ons: %(add_ons)s.") % {"add_ons": _join(add_ons)} if add_ons else "",
            ),
        ),
        Answer(
            "coupon",
            _("What if the coupon code does not work?"),
            (
                _("If the code was already used, contact us (Vouch) from your application's status page."),
                _(
                    "Any other problem applying it: contact %(vendor)s's support (%(support)s), quoting the exact "
                    "error message and your verification reference (VCH-…)."
                )
                % {"vendor": vendor, "support": support or _("from the store")},
                _("A coupon can be used within %(days)s days of approval, at a purchase or a renewal.")
                % {"days": rules["coupon_redeem_days"]},
            ),
        ),
        Answer(
            "refunds",
            _("Can I get a refund of fees already paid once our eligibility is proven?"),
            (
                _(
                    "No: %(vendor)s does not refund subscription fees already paid. The discount applies from "
                    "the moment the coupon is redeemed."
                )
                % {"vendor": vendor},
            ),
        ),
        Answer(
            "tax",
            _("Do the documents I gave for verification cover a sales-tax exemption?"),
            (
                _(
                    "No: nonprofit verification documents, such as an IRS 501(c)(3) determination letter, are not "
                    "accepted as sales-tax exemption evidence."
                ),
                _(
                    "A tax exemption is requested separately, from your account in the %(vendor)s store, with an "
                    "exemption certificate for your jurisdiction."
                )
                % {"vendor": vendor},
            ),
        ),
        Answer(
            "decision",
            _("How long does the verification take?"),
            (
                _(
                    "What the registers settle is decided at once. Otherwise a person decides within "
                    "%(days)s business days of your organisation's country."
                )
                % {"days": rules["decision_promise_business_days"]},
            ),
        ),
    ]
    return [Answer(a.key, a.question, tuple(str(p) for p in a.paragraphs if p), a.link) for a in answers]
