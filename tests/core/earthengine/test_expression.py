"""The composite's expression graph equals what Google's own client serializes for the same recipe.

The references in tests/data/earthengine/recipe_<method>.json were written by earthengine-api 1.7.50's serializer
(make_reference_expressions.py beside them). Both graphs are expanded to trees (references resolved, constant arrays
folded, as the official client's optimiser may or may not have done) before they are compared.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from cloudscore_composite.plugin.core.earthengine.expression import composite_expression, expression_key

REFERENCES = Path(__file__).resolve().parents[2] / "data" / "earthengine"
METHODS = ("median", "mean", "min", "max", "percentiles", "best")


def expand(expression):
    """The expression as one tree: every ``valueReference`` and function body key replaced by its node, every
    ``arrayValue`` of constants folded into one ``constantValue``."""
    values = expression["values"]

    def node(value):
        if not isinstance(value, dict):
            return value
        if "valueReference" in value:
            return node(values[value["valueReference"]])
        if "functionDefinitionValue" in value:
            definition = value["functionDefinitionValue"]
            body = definition["body"]
            return {
                "functionDefinitionValue": {
                    "argumentNames": definition["argumentNames"],
                    "body": node(values[body] if isinstance(body, str) else body),
                }
            }
        if "functionInvocationValue" in value:
            call = value["functionInvocationValue"]
            return {
                "functionInvocationValue": {
                    "functionName": call["functionName"],
                    "arguments": {k: node(v) for k, v in call["arguments"].items()},
                }
            }
        if "arrayValue" in value:
            items = [node(v) for v in value["arrayValue"]["values"]]
            if all("constantValue" in item for item in items):
                return {"constantValue": [item["constantValue"] for item in items]}
            return {"arrayValue": {"values": items}}
        if "dictionaryValue" in value:
            return {"dictionaryValue": {"values": {k: node(v) for k, v in value["dictionaryValue"]["values"].items()}}}
        return value

    return node(values[expression["result"]])


def ours(parameters, method):
    ring = parameters["ring"]
    return composite_expression(
        parameters["collection"],
        {"type": "Polygon", "coordinates": [ring]},
        date.fromisoformat(parameters["start"]),
        date.fromisoformat(parameters["end"]),
        parameters["scene_ids"],
        parameters["qa_band"],
        parameters["threshold"],
        parameters["bands"],
        method,
        parameters["percentiles"],
    )


@pytest.mark.parametrize("method", METHODS)
def test_expression_equals_the_official_clients(method):
    reference = json.loads((REFERENCES / f"recipe_{method}.json").read_text())
    assert reference["method"] == method
    built = ours(reference["parameters"], method)
    assert expand(built) == expand(reference["expression"])
    assert built["result"] == "0"
    json.dumps(built)  # plain JSON all through


def test_function_bodies_are_keys_of_the_values():
    # The compound form (serializer.py): a function definition's body names a value, it is not inlined.
    reference = json.loads((REFERENCES / "recipe_median.json").read_text())
    built = ours(reference["parameters"], "median")
    text = json.dumps(built)
    assert '"body": {' not in text
    for value in built["values"].values():
        definition = value.get("functionDefinitionValue")
        if definition:
            assert definition["body"] in built["values"]


def test_expression_key_is_stable_and_follows_the_request():
    parameters = json.loads((REFERENCES / "recipe_median.json").read_text())["parameters"]
    assert expression_key(ours(parameters, "median")) == expression_key(ours(parameters, "median"))
    assert expression_key(ours(parameters, "median")) != expression_key(ours(parameters, "mean"))
    changed = dict(parameters, threshold=0.65)
    assert expression_key(ours(changed, "median")) != expression_key(ours(parameters, "median"))
