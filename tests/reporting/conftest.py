"""The reporting fixtures: see fixtures.py for the known answers."""

import pytest

from tests.reporting.fixtures import World, build_world


@pytest.fixture
def world() -> World:
    return build_world()
