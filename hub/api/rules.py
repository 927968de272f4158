"""Rules API: list, create, read, replace, delete and export (alerts.yml rules read-only)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from hub.alerts.catalog import (
    RuleCatalog,
    RuleConflictError,
    RuleInvalidError,
    RuleNotFoundError,
    RuleSource,
)
from hub.api.state import HubDep
from hub.domain.rules import Rule

YAML = "application/yaml"


class RuleRead(Rule, frozen=True, kw_only=True):
    """A rule in force, where it is defined and its alerts.yml entry."""

    source: RuleSource
    """``file`` (alerts.yml, read-only here) or ``api``."""
    spec: dict[str, Any]
    """The rule as written: its entry under ``alerts:``."""

    @classmethod
    def of(cls, catalog: RuleCatalog, rule: Rule, source: RuleSource) -> RuleRead:
        """``rule`` as the API shows it."""
        return cls(**msgspec.structs.asdict(rule), source=source, spec=catalog.spec(rule.name))


class RuleController(Controller):
    """``/api/v1/rules``: the body of a rule is its alerts.yml entry as JSON."""

    path = "/api/v1/rules"
    tags = ["rules"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/")
    async def list_rules(self, hub: HubDep) -> list[RuleRead]:
        """The rules being evaluated: alerts.yml's first, then those made through the API."""
        catalog = hub.catalog
        return [RuleRead.of(catalog, *catalog.get(r.name)) for r in catalog.rules]

    @get(
        "/export",
        media_type=YAML,
        responses={
            200: ResponseSpec(
                dict[str, Any],
                description="alerts.yml: an object with `alerts:`",
                media_type=YAML,
                generate_examples=False,
            )
        },
    )
    async def export_rules(self, hub: HubDep) -> Response[str]:
        """Every rule in force as alerts.yml text (``tcf-hub ctl rules check`` accepts it)."""
        return Response(hub.catalog.export(), media_type=YAML)

    @post("/", status_code=201)
    async def create_rule(self, hub: HubDep, data: JSONBody[dict[str, Any]]) -> RuleRead:
        """Create a rule: ``{"name": …}`` plus the fields of an alerts.yml entry. 409 when the
        name is taken, 422 naming the field when it does not validate."""
        spec = dict(data)
        name = spec.pop("name", None)
        if not isinstance(name, str) or not name:
            raise _invalid(RuleInvalidError("name", "a rule needs a name (a string)"))
        try:
            rule = await hub.catalog.create(name, spec)
        except RuleConflictError as error:
            raise _conflict(error) from None
        except RuleInvalidError as error:
            raise _invalid(error) from None
        return RuleRead.of(hub.catalog, rule, RuleSource.API)

    @get("/{name:str}")
    async def get_rule(self, hub: HubDep, name: FromPath[str]) -> RuleRead:
        """One rule in force."""
        try:
            return RuleRead.of(hub.catalog, *hub.catalog.get(name))
        except RuleNotFoundError:
            raise NotFoundException(f"no rule {name}") from None

    @put("/{name:str}")
    async def replace_rule(
        self, hub: HubDep, name: FromPath[str], data: JSONBody[dict[str, Any]]
    ) -> RuleRead:
        """Replace a rule made through the API (409 for alerts.yml's)."""
        spec = dict(data)
        if spec.pop("name", name) != name:
            raise _invalid(RuleInvalidError("name", "renaming is not supported: delete and create"))
        try:
            rule = await hub.catalog.replace(name, spec)
        except RuleNotFoundError:
            raise NotFoundException(f"no rule {name}") from None
        except RuleConflictError as error:
            raise _conflict(error) from None
        except RuleInvalidError as error:
            raise _invalid(error) from None
        return RuleRead.of(hub.catalog, rule, RuleSource.API)

    @delete("/{name:str}", status_code=204)
    async def delete_rule(self, hub: HubDep, name: FromPath[str]) -> None:
        """Delete a rule made through the API; its open alerts resolve at the next evaluation."""
        try:
            await hub.catalog.delete(name)
        except RuleNotFoundError:
            raise NotFoundException(f"no rule {name}") from None
        except RuleConflictError as error:
            raise _conflict(error) from None
        await hub.jobs.evaluate()


def _invalid(error: RuleInvalidError) -> HTTPException:
    return HTTPException(
        status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        detail=str(error),
        extra={"field": error.field, "reason": error.reason},
    )


def _conflict(error: RuleConflictError) -> HTTPException:
    return HTTPException(status_code=HTTP_409_CONFLICT, detail=error.reason)
