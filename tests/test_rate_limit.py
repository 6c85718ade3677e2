import pytest

from bot.domain.rate_limit import Buckets


def test_a_burst_up_to_the_rate_then_one_token_per_interval():
    buckets = Buckets(per_minute=60)
    assert [buckets.take("h", 0.0) for _ in range(60)] == [0.0] * 60
    assert buckets.take("h", 0.0) == pytest.approx(1.0)
    assert buckets.take("h", 0.5) == pytest.approx(0.5)
    assert buckets.take("h", 1.5) == 0.0
    assert buckets.take("other", 1.5) == 0.0


def test_an_idle_bucket_fills_up_to_the_rate_and_no_further():
    buckets = Buckets(per_minute=2)
    assert buckets.take("h", 0.0) == 0.0
    assert buckets.take("h", 3600.0) == 0.0
    assert buckets.take("h", 3600.0) == 0.0
    assert buckets.take("h", 3600.0) > 0
