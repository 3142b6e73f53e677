"""client.system (the YEScale System API) over replayed cassettes, sync and async.

The System API lives on its own host (``yescale.bogia.app``) and takes the access key, not the
API key. Tests that delete or change account data are skipped when re-recording live unless
``YESCALE_ALLOW_DESTRUCTIVE=1`` is set.
"""

from __future__ import annotations

import os

import pytest
from pydantic import SecretStr
from vcr.cassette import Cassette

from yescale import AuthenticationError, BadRequestError, InvalidRequestError, YEScaleClient
from yescale.types import APIKeyInfo, LogEntry, ModelInfo, OkResponse, SystemTask, UserInfo

from .client_support import SYSTEM_HOST, SentRequests, sent_json

BASE = f"https://{SYSTEM_HOST}/yescale"
#: REF: system-api.txt, 3.2.1: the documented key (id 7136, named "dsdfs").
KEY_ID = 7136
#: 2025-10-27 00:00 UTC to 2025-10-28 00:00 UTC.
START, END = 1761523200, 1761609600


#: Skips a test that changes the real account when re-recording live, unless allowed. A skip
#: mark (not a fixture) so it acts before pytest-recording's rewrite mode deletes the cassette.
destructive = pytest.mark.skipif(
    "config.getoption('--record-mode', 'none') not in (None, 'none')"
    " and os.environ.get('YESCALE_SYNTHESIZE') != '1'"
    " and not os.environ.get('YESCALE_ALLOW_DESTRUCTIVE')",
    reason="changes real account data: set YESCALE_ALLOW_DESTRUCTIVE=1 to re-record it live",
)


def check_user(user: UserInfo) -> None:
    assert isinstance(user, UserInfo)
    assert user.username == "your_username"
    assert user.display_name == "Your Display Name"
    assert user.email == "your.email@example.com"
    assert (user.role, user.request_count) == (1, 213527)
    assert user.quota == 8664402091
    assert user.quota_usd == 8664402091 / 500_000
    assert user.used_quota_usd == 1460014143 / 500_000
    assert user.telegram_id == ""
    # The access token is a secret: typed, and never shown.
    assert isinstance(user.access_token, SecretStr)
    secret = user.access_token.get_secret_value()
    assert secret
    assert f"'{secret}'" not in repr(user)
    assert f'"{secret}"' not in user.model_dump_json()
    assert "SecretStr('**********')" in repr(user)


@pytest.mark.vcr
def test_system_user_with_access_key(vcr: Cassette) -> None:
    sent = SentRequests()
    with sent.client() as http, YEScaleClient(http_client=http) as client:
        user = client.system.user()
    check_user(user)
    assert vcr.requests[0].uri == f"{BASE}/user"
    # The System API gets the access key as a bearer token, never the API key.
    (request,) = sent.requests
    assert request.url.host == SYSTEM_HOST
    assert request.headers["authorization"] == f"Bearer {os.environ['YESCALE_ACCESS_KEY']}"
    assert os.environ["YESCALE_API_KEY"] not in request.headers["authorization"]


@pytest.mark.vcr
async def test_system_user_async() -> None:
    async with YEScaleClient() as client:
        user = await client.aio.system.user()
    check_user(user)


@pytest.mark.vcr
def test_system_bad_access_key_is_authentication_error() -> None:
    client = YEScaleClient(access_key="invalid-access-key-0000")
    with client, pytest.raises(AuthenticationError) as info:
        client.system.user()
    assert info.value.status_code == 401
    assert "YESCALE_ACCESS_KEY" in str(info.value)
    assert "invalid-access-key-0000" not in str(info.value)


def check_models(models: list[ModelInfo]) -> None:
    assert len(models) == 1
    model = models[0]
    assert isinstance(model, ModelInfo)
    assert model.model_name == "imagen4-fast"
    assert model.id == 143
    assert model.provider_name == "Google"
    assert model.endpoint == "/v1/images/generations"
    assert model.billing_type == "pay-per-request"
    assert model.price_per_request == "0.04 ~ 400 VND"
    assert (model.uptime, model.is_deprecation) == (1, 0)
    assert model.available
    assert model.input_price is None
    assert (model.group_ratio, model.saving, model.deprecation) == (1.25, 23.08, "active")
    # Fields the client does not model are kept.
    assert model.model_extra is not None
    assert model.model_extra["provider_logo"] == "data:image/svg+xml;base64,..."


@pytest.mark.vcr
def test_system_models(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        models = client.system.models()
    check_models(models)
    assert vcr.requests[0].uri == f"{BASE}/models"


@pytest.mark.vcr
async def test_system_models_async() -> None:
    async with YEScaleClient() as client:
        models = await client.aio.system.models()
    check_models(models)


def check_reference_key(keys: list[APIKeyInfo]) -> None:
    (key,) = keys
    assert isinstance(key, APIKeyInfo)
    assert (key.id, key.name, key.status, key.group) == (KEY_ID, "dsdfs", 1, "normal")
    assert key.remain_quota == 113777
    assert key.remain_quota_usd == 113777 / 500_000
    assert key.used_quota_usd == 386223 / 500_000
    assert key.unlimited_quota is True
    assert key.expired_time == -1
    assert key.model_limits_enabled is False
    assert isinstance(key.key, SecretStr)
    assert "SecretStr('**********')" in repr(key)


@pytest.mark.vcr
def test_system_list_api_keys_with_keyword(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        keys = client.system.list_api_keys(keyword="dsdfs")
    check_reference_key(keys)
    assert vcr.requests[0].uri == f"{BASE}/apikeylist?keyword=dsdfs"


@pytest.mark.vcr
async def test_system_list_api_keys_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        everything = await client.aio.system.list_api_keys()
        nothing = await client.aio.system.list_api_keys(keyword="no-such-key")
    check_reference_key(everything)
    assert nothing == []
    assert [r.uri for r in vcr.requests] == [
        f"{BASE}/apikeylist",
        f"{BASE}/apikeylist?keyword=no-such-key",
    ]


@pytest.mark.vcr
@destructive
def test_system_delete_api_key(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        outcome = client.system.delete_api_key(KEY_ID)
    assert isinstance(outcome, OkResponse)
    assert outcome.success is True
    assert outcome.message == ""
    assert vcr.requests[0].method == "DELETE"
    assert vcr.requests[0].uri == f"{BASE}/deletekey/{KEY_ID}"


@pytest.mark.vcr
@destructive
async def test_system_delete_api_key_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        outcome = await client.aio.system.delete_api_key(KEY_ID)
        # An envelope with "success": false is an error, not a quiet OkResponse.
        with pytest.raises(BadRequestError) as info:
            await client.aio.system.delete_api_key(999999)
    assert outcome.success is True
    assert "API key 999999 not found" in str(info.value)
    assert "YESCALE_ACCESS_KEY" not in str(info.value)
    assert vcr.requests[1].uri == f"{BASE}/deletekey/999999"


@pytest.mark.vcr
@destructive
def test_system_edit_api_key_quota_in_usd(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        outcome = client.system.edit_api_key_quota(KEY_ID, remain_quota_usd=100)
        with pytest.raises(InvalidRequestError):  # refused before sending: one unit only
            client.system.edit_api_key_quota(KEY_ID, remain_quota=1, remain_quota_usd=1)
    assert outcome.success is True
    assert len(vcr.requests) == 1
    assert vcr.requests[0].method == "PUT"
    assert vcr.requests[0].uri == f"{BASE}/editquota/{KEY_ID}"
    # REF: system-api.txt 3.2.3: $100 is 50,000,000 credits.
    assert sent_json(vcr, 0) == {"remain_quota": 50_000_000}


@pytest.mark.vcr
@destructive
async def test_system_edit_api_key_quota_in_credits_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        outcome = await client.aio.system.edit_api_key_quota(KEY_ID, remain_quota=50_000_000)
    assert outcome.success is True
    assert sent_json(vcr, 0) == {"remain_quota": 50_000_000}


def check_tasks(tasks: list[SystemTask]) -> None:
    assert [t.task_id for t in tasks] == [
        "yescale-sora-2-eefd4aad095d",
        "yescale-gpt-image-3bff624161c0",
    ]
    assert all(isinstance(t, SystemTask) for t in tasks)
    assert tasks[0].id == 90211
    # The shape is undocumented: every other field is kept.
    assert tasks[0].model_extra is not None
    assert tasks[0].model_extra["status"] == "SUCCESS"
    assert tasks[1].model_extra is not None
    assert tasks[1].model_extra["fail_reason"]
    assert all(START <= (t.model_extra or {})["submit_time"] <= END for t in tasks)


@pytest.mark.vcr
def test_system_tasks_in_time_range(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        tasks = client.system.tasks(start_timestamp=START, end_timestamp=END)
    check_tasks(tasks)
    assert vcr.requests[0].path == "/yescale/task"
    assert dict(vcr.requests[0].query) == {"start_timestamp": str(START), "end_timestamp": str(END)}


@pytest.mark.vcr
async def test_system_tasks_in_time_range_async() -> None:
    async with YEScaleClient() as client:
        tasks = await client.aio.system.tasks(start_timestamp=START, end_timestamp=END)
    check_tasks(tasks)


def check_logs(logs: list[LogEntry], count: int) -> None:
    assert isinstance(logs, list)
    assert len(logs) == count
    assert all(isinstance(entry, LogEntry) for entry in logs)
    assert all(entry.model_name and entry.quota is not None for entry in logs)
    assert all(isinstance(entry.created_at, int) for entry in logs)
    assert logs[0].model_extra is not None
    assert logs[0].token_name == "dsdfs"


@pytest.mark.vcr
def test_system_logs_first_page(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        logs = client.system.logs(p=1, page_size=10)
    check_logs(logs, 10)
    assert vcr.requests[0].path == "/yescale/logs"
    assert dict(vcr.requests[0].query) == {"p": "1", "page_size": "10"}


@pytest.mark.vcr
async def test_system_logs_pages_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        first = await client.aio.system.logs(p=1, page_size=10)
        second = await client.aio.system.logs(p=2, page_size=10, model_name=None)
    check_logs(first, 10)
    check_logs(second, 5)  # 15 rows in all
    assert {e.id for e in first}.isdisjoint({e.id for e in second})
    assert dict(vcr.requests[1].query) == {"p": "2", "page_size": "10"}  # no None filters
