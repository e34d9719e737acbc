#!/usr/bin/python3
"""Builds the small ONNX models the ML Connector's tests load, and the outputs they must give.

Run with Debian's python3-onnx (apt install python3-onnx; it installs for /usr/bin/python3):
    /usr/bin/python3 make_models.py
It writes linear3.onnx (one float input X of shape [N, 3], Y = X W + b), named2.onnx (one input per
feature, cpu and fps of shape [N, 1], latency = 100 cpu + 0.5 fps + 20), classifier3.onnx (a
classifier as converters write them: input X [N, 2], outputs label (int64 [N]) and probabilities
= softmax(X Wc + bc) (float [N, 3]), its class names in the metadata "labels": low,mid,high) and
expected.json (inputs and the outputs computed here with numpy, in float32 as the models compute
them).
"""
import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

W = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)
B = np.array([1.25], dtype=np.float32)


def save(graph, name):
    model = helper.make_model(graph, producer_name="mlsysops-tests",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, name)


def linear3():
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["XW"]), helper.make_node("Add", ["XW", "B"], ["Y"])],
        "linear3", [x], [y],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")])
    save(graph, "linear3.onnx")


def named2():
    cpu = helper.make_tensor_value_info("cpu", TensorProto.FLOAT, [None, 1])
    fps = helper.make_tensor_value_info("fps", TensorProto.FLOAT, [None, 1])
    out = helper.make_tensor_value_info("latency", TensorProto.FLOAT, [None, 1])
    consts = [numpy_helper.from_array(np.array([v], dtype=np.float32), n)
              for n, v in (("a", 100.0), ("b", 0.5), ("c", 20.0))]
    graph = helper.make_graph(
        [helper.make_node("Mul", ["cpu", "a"], ["ca"]), helper.make_node("Mul", ["fps", "b"], ["fb"]),
         helper.make_node("Add", ["ca", "fb"], ["s"]), helper.make_node("Add", ["s", "c"], ["latency"])],
        "named2", [cpu, fps], [out], initializer=consts)
    save(graph, "named2.onnx")


WC = np.array([[2.0, 0.0, -2.0], [-1.0, 0.5, 1.5]], dtype=np.float32)
BC = np.array([0.5, 0.0, -0.5], dtype=np.float32)


def classifier3():
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])
    label = helper.make_tensor_value_info("label", TensorProto.INT64, [None])
    probs = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "Wc"], ["XW"]),
         helper.make_node("Add", ["XW", "Bc"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
         helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0)],
        "classifier3", [x], [label, probs],
        initializer=[numpy_helper.from_array(WC, "Wc"), numpy_helper.from_array(BC, "Bc")])
    model = helper.make_model(graph, producer_name="mlsysops-tests",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    helper.set_model_props(model, {"labels": "low,mid,high"})
    onnx.checker.check_model(model)
    onnx.save(model, "classifier3.onnx")


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def expected():
    x3 = np.array([[0.5, 0.25, 2.0], [1.0, 0.0, -1.0], [0.1, 0.2, 0.3]], dtype=np.float32)
    y3 = (x3 @ W + B).reshape(-1)
    x2 = np.array([[0.5, 20.0], [0.9, 12.0]], dtype=np.float32)
    y2 = (np.float32(100.0) * x2[:, 0] + np.float32(0.5) * x2[:, 1] + np.float32(20.0))
    xc = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.2, 0.3]], dtype=np.float32)
    pc = softmax(xc @ WC + BC)
    with open("expected.json", "w") as f:
        json.dump({"linear3": {"inputs": x3.tolist(), "outputs": y3.tolist()},
                   "named2": {"inputs": x2.tolist(), "outputs": y2.tolist()},
                   "classifier3": {"inputs": xc.tolist(), "labels": ["low", "mid", "high"],
                                   "probabilities": pc.tolist(),
                                   "predicted": [["low", "mid", "high"][i]
                                                 for i in pc.argmax(axis=1)]}}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    linear3()
    named2()
    classifier3()
    expected()
