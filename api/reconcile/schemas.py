"""Wire formats of the Reconciliation API 0.2 (https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/).

The query models mirror the spec's reconciliation-query-batch JSON schema (strict types, no unknown fields), so a
batch that schema rejects is refused here too; tests check both agree on the spec's own examples.
"""

from typing import Any, Literal

from ninja import Schema
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)


class _NoNulls(BaseModel):
    """The spec's schema types every field; JSON null is none of them."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [key for key, value in data.items() if value is None and key in cls.model_fields]
            if nulls:
                raise ValueError(f"null is not allowed for {', '.join(nulls)}")
        return data


class EntityValue(_NoNulls):
    """A property value that is an entity reconciled earlier."""

    model_config = ConfigDict(strict=True, extra="allow")
    id: StrictStr
    name: StrictStr | None = None


PropertyValue = StrictBool | StrictInt | StrictFloat | StrictStr | EntityValue


class PropertyIn(_NoNulls):
    model_config = ConfigDict(strict=True, extra="allow")
    pid: StrictStr
    v: PropertyValue | list[PropertyValue]

    def values(self) -> list:
        items = self.v if isinstance(self.v, list) else [self.v]
        return [item.model_dump() if isinstance(item, EntityValue) else item for item in items]


class QueryIn(_NoNulls):
    model_config = ConfigDict(strict=True, extra="forbid")
    query: StrictStr | None = None
    type: StrictStr | list[StrictStr] | None = None
    limit: StrictInt | StrictFloat | None = None
    properties: list[PropertyIn] | None = None
    type_strict: Literal["any", "should", "all"] | None = None

    @model_validator(mode="after")
    def _query_or_properties(self) -> "QueryIn":
        if self.query is None and not self.properties:
            raise ValueError("a query needs `query` or a non-empty `properties`")
        return self


class QueryBatchIn(RootModel[dict[str, QueryIn]]):
    pass


# Responses ----------------------------------------------------------------------------------------------------


class TypeOut(Schema):
    id: str
    name: str


class ViewOut(Schema):
    url: str = Field(description="Template: replace {{id}} with an organisation id (URI-component encoded)")


class PreviewMetadataOut(Schema):
    url: str = Field(description="Template: replace {{id}} with an organisation id (URI-component encoded)")
    width: int
    height: int


class SuggestServiceOut(Schema):
    service_url: str
    service_path: str


class SuggestMetadataOut(Schema):
    entity: SuggestServiceOut
    property: SuggestServiceOut
    type: SuggestServiceOut


class ManifestOut(Schema):
    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    defaultTypes: list[TypeOut]
    documentation: str
    serviceVersion: str
    batchSize: int = Field(description="Most queries per batch; more is refused (400, reconciliation_batch_too_large)")
    view: ViewOut
    preview: PreviewMetadataOut
    suggest: SuggestMetadataOut


class FeatureOut(Schema):
    id: str
    value: bool | float


class CandidateOut(Schema):
    id: str = Field(description="The organisation's org-id identifier, e.g. US-EIN-010564885")
    name: str
    description: str
    score: float = Field(description="0 to 100; 100 only when the registry number (or the id itself) agrees")
    match: bool = Field(description="True for at most one candidate per query: a confident match")
    type: list[TypeOut]
    features: list[FeatureOut]


class QueryResultOut(Schema):
    result: list[CandidateOut]


class SuggestEntityOut(Schema):
    id: str
    name: str
    description: str
    notable: list[TypeOut]


class SuggestEntitiesOut(Schema):
    result: list[SuggestEntityOut]


class SuggestItemOut(Schema):
    id: str
    name: str
    description: str


class SuggestItemsOut(Schema):
    result: list[SuggestItemOut]


# The `queries` parameter as OpenAPI describes it: the spec's query batch schema, narrowed to what this service
# accepts (its three properties, its caps), so a client generating requests from it sends only acceptable ones.
def _values(value: dict) -> dict:
    entity_id = value if value.get("type") == "string" else {"type": "string"}
    entity = {"type": "object", "properties": {"id": entity_id, "name": {"type": "string"}}, "required": ["id"]}
    one = {"oneOf": [value, entity]}
    return {"oneOf": [one, {"type": "array", "items": one, "maxItems": 5}]}


_COUNTRY_VALUE = {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1 alpha-2"}
_TEXT_OR_NUMBER = {"oneOf": [{"type": "string"}, {"type": "number"}]}
BATCH_OPENAPI_SCHEMA = {
    "type": "object",
    "description": "Query ids to reconciliation queries (Reconciliation API 0.2).",
    "maxProperties": 50,
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string", "description": "A name, part of one, or a registry number / org-id"},
            "type": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "limit": {"type": "number", "description": "Candidates wanted; clamped to 1..25, default 10"},
            "type_strict": {"type": "string", "enum": ["any", "should", "all"]},
            "properties": {
                "type": "array",
                "maxItems": 10,
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["pid", "v"],
                            "properties": {"pid": {"const": "country"}, "v": _values(_COUNTRY_VALUE)},
                        },
                        {
                            "type": "object",
                            "required": ["pid", "v"],
                            "properties": {"pid": {"const": "registry_number"}, "v": _values(_TEXT_OR_NUMBER)},
                        },
                        {
                            "type": "object",
                            "required": ["pid", "v"],
                            "properties": {"pid": {"const": "postcode"}, "v": _values(_TEXT_OR_NUMBER)},
                        },
                    ]
                },
            },
        },
        "anyOf": [{"required": ["query"]}, {"required": ["properties"], "properties": {"properties": {"minItems": 1}}}],
    },
}
