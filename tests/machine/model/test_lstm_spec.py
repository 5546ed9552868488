"""Saved states of spec-described networks round-trip through pickle to the same spec."""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gordo.machine.model.dense_spec import DenseSpec
from gordo.machine.model.lstm_spec import LSTMSpec, spec_of_state
from gordo.machine.model.nn_basics import ACTIVATIONS, DENSE_FORMAT, LSTM_FORMAT

layers = st.lists(
    st.tuples(st.integers(1, 64), st.sampled_from(sorted(ACTIVATIONS))), min_size=1, max_size=4
).map(tuple)
settings = st.tuples(
    st.sampled_from(["Adam", "SGD", {"keras.optimizers.Adam": {"learning_rate": 0.01}}]),
    st.none() | st.fixed_dictionaries({"learning_rate": st.floats(1e-5, 1.0)}),
    st.none() | st.sampled_from([{"loss": "mae"}, {"loss": "mse", "metrics": ["mae"]}]),
)
specs = st.one_of(
    st.builds(lambda n, ls, s: DenseSpec(n, ls, *s), st.integers(1, 32), layers, settings),
    st.builds(
        lambda n, w, rec, head, s: LSTMSpec(n, w, rec, head, *s),
        st.integers(1, 32),
        st.integers(1, 24),
        layers,
        layers,
        settings,
    ),
)


@given(specs)
def test_a_spec_state_round_trips(spec):
    weights = [np.arange(3, dtype="float32")]
    state = pickle.loads(pickle.dumps(spec.to_state(weights)))
    assert state["format"] == (DENSE_FORMAT if isinstance(spec, DenseSpec) else LSTM_FORMAT)
    assert spec_of_state(state) == spec
    np.testing.assert_array_equal(state["weights"][0], weights[0])


def test_other_states_have_no_spec():
    assert spec_of_state({"format": "gordo-keras-archive/1", "keras": b""}) is None
    assert spec_of_state({"format": "gordo-dense-model/2", "spec": {}}) is None
