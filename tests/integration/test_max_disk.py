"""`retention.max_disk` on both backends: the oldest history goes first until the data fits."""

from __future__ import annotations

from datetime import timedelta

from hub.domain.config import RetentionConfig
from tests.integration.test_compaction import T0, fill, open_tsdb


async def test_max_disk_drops_the_oldest_blocks_until_the_history_fits(store_url):
    store, tsdb = await open_tsdb(store_url)
    await fill(tsdb, 8, series=10)
    used = await store.used_bytes()
    assert used is not None and used > 0
    cap = used * 3 // 4
    oldest_before = min(block for block, _ in await blocks(store))
    report = await tsdb.prune(T0 + timedelta(hours=9), RetentionConfig(max_disk=cap))
    assert report.capped
    assert report.chunks >= 10  # at least the oldest block of every series
    after = await store.used_bytes()
    assert after is not None and after <= cap
    remaining = await blocks(store)
    assert remaining, "the cap keeps the newest history"
    assert min(block for block, _ in remaining) > oldest_before  # the first block went first
    await store.close()


async def test_the_store_size_is_reported_on_both_backends(store_url):
    store, tsdb = await open_tsdb(store_url)
    empty = await store.size_bytes()
    await fill(tsdb, 4, series=10)
    full = await store.size_bytes()
    assert empty is not None and full is not None
    assert full >= empty > 0
    await store.close()


async def blocks(store) -> list[tuple[int, int]]:
    """``(block_ms, chunks)`` of the raw tier."""
    import sqlalchemy as sa

    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT block_ms, count(*) FROM chunks GROUP BY block_ms ORDER BY block_ms")
        )
        return [(int(block), int(n)) for block, n in rows]
