from typing import Any

from ninja import NinjaAPI
from ninja.operation import Operation

from bredvid.api import errors
from bredvid.api.agreements import router as agreements_router
from bredvid.api.assignments import router as assignments_router
from bredvid.api.auth import TokenAuth
from bredvid.api.casework import router as casework_router
from bredvid.api.expenses import router as expenses_router
from bredvid.api.links import with_links
from bredvid.api.matching import router as matching_router
from bredvid.api.payments import router as payments_router
from bredvid.api.persons import router as persons_router
from bredvid.api.supporters import router as supporters_router


class BredvidAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """bredvid_api_<group>_<view>: the group is the module under bredvid.api (matching for
        bredvid.api.matching.offers), so splitting a group into modules keeps its operation ids."""
        group = operation.view_func.__module__.split(".")[:3]
        return "_".join([*group, operation.view_func.__name__])

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The generated schema with the links between operations (bredvid/api/links.py)."""
        return with_links(super().get_openapi_schema(**kwargs))


api = BredvidAPI(
    title="Bredvid API",
    version="1",
    description=(
        "API v1 of Bredvid. Every route needs `Authorization: Bearer <token>` "
        "(`python manage.py issue_api_token USERNAME`). Data is scoped to the token's municipality; "
        "every read and change is written to the audit log."
    ),
    urls_namespace="api-1",
    auth=TokenAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/persons/", persons_router)
api.add_router("/", casework_router)
api.add_router("/", supporters_router)
api.add_router("/", matching_router)
api.add_router("/", payments_router)
api.add_router("/", agreements_router)
api.add_router("/", expenses_router)
api.add_router("/", assignments_router)
