"""Engine fixtures: a test module that sets FORM (a path in forms/) gets `engine`, its form loaded once in ODK's
xforms-engine, and `form`, a new filling of it for each test."""

from __future__ import annotations

import pytest

from tests.forms.engine_session import published_form


@pytest.fixture(scope="module")
def engine(request, tmp_path_factory):
    form = request.module.FORM
    with published_form(form, tmp_path_factory.mktemp(form.stem)) as session:
        yield session


@pytest.fixture
def form(engine):
    return engine.open()
