#!/usr/bin/python3
"""Independent check of a tarn-written Iceberg manifest and manifest list with python3-avro.

Usage: check_manifest.py MANIFEST.avro MANIFEST_LIST.avro PARTITION_FIELD_IDS (comma-separated)

Opens both files with avro.datafile.DataFileReader, checks the Iceberg field-id attributes of
the key schema fields and the header metadata keys, and prints the records as JSON:
{"manifest": {"meta": {...}, "records": [...]}, "list": {...}} (bytes as lowercase hex).
Exits 1 with "check failed: ..." on stderr when a check fails.
"""
import json
import sys
import warnings

import avro.datafile
import avro.io

warnings.filterwarnings("ignore")  # python3-avro warns about Iceberg's logicalType "map"


def fail(message):
    sys.stderr.write("check failed: " + message + "\n")
    sys.exit(1)


def field(record_schema, name):
    for f in record_schema["fields"]:
        if f["name"] == name:
            return f
    fail("no field %s in record %s" % (name, record_schema.get("name")))


def non_null(t):
    if isinstance(t, list):
        rest = [b for b in t if b != "null"]
        return rest[0]
    return t


def expect_id(f, key, want):
    if f.get(key) != want:
        fail("field %s: %s is %r, expected %r" % (f["name"], key, f.get(key), want))


def check_manifest_schema(schema, partition_ids):
    if schema["name"] != "manifest_entry":
        fail("top record is " + schema["name"])
    for name, fid in [("status", 0), ("snapshot_id", 1), ("sequence_number", 3),
                      ("file_sequence_number", 4), ("data_file", 2)]:
        expect_id(field(schema, name), "field-id", fid)
    data_file = field(schema, "data_file")["type"]
    for name, fid in [("content", 134), ("file_path", 100), ("file_format", 101),
                      ("partition", 102), ("record_count", 103), ("file_size_in_bytes", 104),
                      ("column_sizes", 108), ("lower_bounds", 125), ("upper_bounds", 128),
                      ("split_offsets", 132), ("equality_ids", 135), ("sort_order_id", 140)]:
        expect_id(field(data_file, name), "field-id", fid)
    partition = field(data_file, "partition")["type"]
    got = [f.get("field-id") for f in partition["fields"]]
    if got != partition_ids:
        fail("partition field ids %r, expected %r" % (got, partition_ids))
    for name, key_id, value_id in [("column_sizes", 117, 118), ("value_counts", 119, 120),
                                   ("null_value_counts", 121, 122),
                                   ("nan_value_counts", 138, 139),
                                   ("lower_bounds", 126, 127), ("upper_bounds", 129, 130)]:
        array = non_null(field(data_file, name)["type"])
        if array.get("logicalType") != "map":
            fail(name + " is not a logicalType map array")
        expect_id(field(array["items"], "key"), "field-id", key_id)
        expect_id(field(array["items"], "value"), "field-id", value_id)
    expect_id(non_null(field(data_file, "split_offsets")["type"]), "element-id", 133)
    expect_id(non_null(field(data_file, "equality_ids")["type"]), "element-id", 136)


def check_list_schema(schema):
    if schema["name"] != "manifest_file":
        fail("top record is " + schema["name"])
    for name, fid in [("manifest_path", 500), ("manifest_length", 501),
                      ("partition_spec_id", 502), ("content", 517), ("sequence_number", 515),
                      ("min_sequence_number", 516), ("added_snapshot_id", 503),
                      ("added_files_count", 504), ("existing_files_count", 505),
                      ("deleted_files_count", 506), ("added_rows_count", 512),
                      ("existing_rows_count", 513), ("deleted_rows_count", 514),
                      ("partitions", 507)]:
        expect_id(field(schema, name), "field-id", fid)
    summaries = non_null(field(schema, "partitions")["type"])
    expect_id(summaries, "element-id", 508)
    for name, fid in [("contains_null", 509), ("contains_nan", 518), ("lower_bound", 510),
                      ("upper_bound", 511)]:
        expect_id(field(summaries["items"], name), "field-id", fid)


def plain(value):
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # dates, decimals, timestamps


def read(path, required_keys):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode() for k, v in reader.meta.items()}
        for key in required_keys:
            if key not in meta:
                fail("%s: no %s in the header metadata" % (path, key))
        if meta.get("avro.codec") != "deflate":
            fail("%s: codec %r" % (path, meta.get("avro.codec")))
        if meta.get("format-version") != "2":
            fail("%s: format-version %r" % (path, meta.get("format-version")))
        records = [plain(r) for r in reader]
    schema = json.loads(meta.pop("avro.schema"))
    return schema, {"meta": meta, "records": records}


def main():
    manifest_path, list_path, ids = sys.argv[1], sys.argv[2], sys.argv[3]
    partition_ids = [int(i) for i in ids.split(",") if i]
    schema, manifest = read(manifest_path, ["schema", "schema-id", "partition-spec",
                                            "partition-spec-id", "format-version", "content"])
    check_manifest_schema(schema, partition_ids)
    spec_ids = [f["field-id"] for f in json.loads(manifest["meta"]["partition-spec"])]
    if spec_ids != partition_ids:
        fail("partition-spec metadata field ids %r" % spec_ids)
    json.loads(manifest["meta"]["schema"])
    schema, manifest_list = read(list_path, ["snapshot-id", "parent-snapshot-id",
                                             "sequence-number", "format-version"])
    check_list_schema(schema)
    print(json.dumps({"manifest": manifest, "list": manifest_list}))


if __name__ == "__main__":
    main()
