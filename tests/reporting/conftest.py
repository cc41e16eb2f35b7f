"""The reporting fixtures: see fixtures.py for the known answers."""

import pytest

from tests import snapshots
from tests.reporting.fixtures import World, build_world


@pytest.fixture(scope="module")
def world_snapshot(app):
    """The world built once per module (and worker)."""
    return snapshots.build_once(app, build_world)


@pytest.fixture
def world(world_snapshot) -> World:
    """The world, its rows put back as built whatever the test before changed."""
    return snapshots.put_back(world_snapshot)
