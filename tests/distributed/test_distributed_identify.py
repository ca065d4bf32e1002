"""The stored case on a real Dask LocalCluster (2 worker processes) gives exactly the
identifications of the one-process run (issue 15). SYNTHETIC demonstration data."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed", reason="dask[distributed] (the 'distributed' extra) is missing")

from dask.distributed import Client  # noqa: E402

from homecoming.distributed import local_cluster  # noqa: E402
from homecoming.services.case_identification import identify_stored_case  # noqa: E402
from homecoming.services.demo import load_demo  # noqa: E402
from homecoming.storage import Database  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


def test_stored_case_on_a_local_cluster_equals_one_process(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'case.db'}")
    load_demo(db, seed=3, bodies=20, identify=False)
    one = identify_stored_case(db, store=False).result
    with local_cluster(2) as cluster, Client(cluster) as client:
        many = identify_stored_case(db, store=False, executor=client).result
    assert many.details == one.details
    assert many.candidate_pairs == one.candidate_pairs and many.components == one.components
    assert len(one.identified) >= 5
