"""Reads of programs: the active program by slug, the countries it takes applications from (the one country list
every front door uses), its rules version in force, its texts, its published rulebook."""

from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from programs.documents import accepted_documents, document_label
from programs.models import Program, ProgramRulesVersion, ProgramText, ProgramTextKind
from programs.rulebook import rulebook
from registry.countries import country_choices, country_codes


def program_get(*, slug: str) -> Program:
    program = Program.objects.filter(slug=(slug or "")[:50], is_active=True).first()
    if program is None:
        raise NotFound(_("This program does not exist or is closed."), code="program_not_found")
    return program


def program_country_codes(program: Program) -> list[str]:
    """ISO codes of the countries the program takes. Its list when it has one; an empty list means every ISO 3166
    country and region. Sanctioned countries are never offered."""
    sanctioned = {str(code).upper() for code in program.sanctioned_countries}
    listed = [str(code).upper() for code in program.supported_countries] or country_codes()
    return [code for code in listed if code not in sanctioned]


def program_countries(program: Program) -> list[tuple[str, str]]:
    """(code, name) of the program's countries, sorted by name in the active language."""
    return country_choices(program_country_codes(program))


def program_country_check(*, program: Program, country: str) -> str:
    """The ISO code, if the program takes applications from that country; InvalidInput otherwise."""
    code = (country or "").strip().upper()
    if code not in program_country_codes(program):
        details: dict = {"country": code[:2]}
        if program.supported_countries:  # a short list is worth repeating; "every country but…" is not
            details["supported"] = program_country_codes(program)
        raise InvalidInput(
            _("The program does not take applications from this country."),
            code="country_not_supported",
            details=details,
        )
    return code


def program_country_documents(program: Program, country: str) -> list[tuple[str, str]]:
    """(kind, label in the active language) of the documents the program accepts from `country` where no imported
    register settles the organisation."""
    return [(kind, document_label(kind)) for kind in accepted_documents(program.country_documents, country)]


def program_rules_version_current(program: Program) -> ProgramRulesVersion | None:
    """The program's rules version in force (the latest published), or None before the first one. What the
    pre-check reports as `rules_version` (its `.number`) and what checks and decisions record."""
    return ProgramRulesVersion.objects.filter(program=program).order_by("-number").first()


def program_text_current(program: Program, kind: str, language: str) -> ProgramText | None:
    """The text of `kind` ("terms" or "privacy") in force, in `language` when written in it, else in English;
    `.language` says which one the reader gets."""
    version = program.terms_version if kind == ProgramTextKind.TERMS else program.privacy_version
    texts = {text.language: text for text in ProgramText.objects.filter(program=program, kind=kind, version=version)}
    wanted = (language or "en").split("-")[0]
    return texts.get(wanted) or texts.get("en") or next(iter(texts.values()), None)


def program_rulebook(program: Program) -> dict:
    """The published rules (programs.rulebook.rulebook) of the version in force, labels in the active language."""
    return rulebook(
        program, version=program_rules_version_current(program), country_codes=program_country_codes(program)
    )
