//! The remote-write wire format: Prometheus's `prompb.WriteRequest` (types.proto, remote.proto)
//! as prost messages, only the fields a sender fills, with the field numbers of the .proto so
//! any receiver decodes them; and the body: the encoded message compressed with snappy's block
//! format (not the framed stream), as the remote-write 1.0 specification requires.

use prost::Message;

/// `prometheus.WriteRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
}

/// `prometheus.TimeSeries`: labels sorted by name, `__name__` among them.
#[derive(Clone, PartialEq, Message)]
pub struct TimeSeries {
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
    #[prost(message, repeated, tag = "4")]
    pub histograms: Vec<Histogram>,
}

/// `prometheus.Label`.
#[derive(Clone, PartialEq, Message)]
pub struct Label {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `prometheus.Sample`: a float value at a time in Unix milliseconds.
#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    #[prost(double, tag = "1")]
    pub value: f64,
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

/// `prometheus.Histogram`, the integer-count form of a native histogram.
#[derive(Clone, PartialEq, Message)]
pub struct Histogram {
    #[prost(oneof = "Count", tags = "1")]
    pub count: Option<Count>,
    #[prost(double, tag = "3")]
    pub sum: f64,
    #[prost(sint32, tag = "4")]
    pub schema: i32,
    #[prost(double, tag = "5")]
    pub zero_threshold: f64,
    #[prost(oneof = "ZeroCount", tags = "6")]
    pub zero_count: Option<ZeroCount>,
    #[prost(message, repeated, tag = "11")]
    pub positive_spans: Vec<BucketSpan>,
    /// Each bucket's count as the difference from the previous bucket's.
    #[prost(sint64, repeated, tag = "12")]
    pub positive_deltas: Vec<i64>,
    #[prost(int64, tag = "15")]
    pub timestamp: i64,
}

/// `Histogram.count`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Count {
    #[prost(uint64, tag = "1")]
    CountInt(u64),
}

/// `Histogram.zero_count`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ZeroCount {
    #[prost(uint64, tag = "6")]
    ZeroCountInt(u64),
}

/// `prometheus.BucketSpan`: `length` consecutive buckets, `offset` buckets after the previous
/// span (the first span's offset is its first bucket's index).
#[derive(Clone, PartialEq, Message)]
pub struct BucketSpan {
    #[prost(sint32, tag = "1")]
    pub offset: i32,
    #[prost(uint32, tag = "2")]
    pub length: u32,
}

/// The HTTP body of a push: the request, protobuf-encoded, snappy-compressed.
pub fn body(request: &WriteRequest) -> Vec<u8> {
    let encoded = request.encode_to_vec();
    snap::raw::Encoder::new()
        .compress_vec(&encoded)
        .expect("snappy compresses any input below 4 GiB, and a push is far smaller")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_decodes_back_to_the_request() {
        let request = WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![
                    Label { name: "__name__".into(), value: "k6_http_reqs_total".into() },
                    Label { name: "method".into(), value: "GET".into() },
                ],
                samples: vec![Sample { value: 42.0, timestamp: 1_795_901_405_123 }],
                histograms: vec![],
            }],
        };
        let raw = snap::raw::Decoder::new().decompress_vec(&body(&request)).unwrap();
        assert_eq!(WriteRequest::decode(&raw[..]).unwrap(), request);
        // Field 1 (timeseries), wire type 2 (length-delimited): the tag byte a receiver expects.
        assert_eq!(raw[0], 0x0a);
    }
}
