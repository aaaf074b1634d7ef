/*
 * The parts of the OTLP protobuf schema (opentelemetry-proto, metrics/v1, logs/v1, common/v1,
 * resource/v1, collector/*) that Gas Gauge reads, written here with the specification's field numbers.
 * Fields left out are skipped by the decoder; the names are OTLP/JSON's lowerCamelCase, so the JSON
 * encoding goes through the same types (`fromObject`).
 */
const f = (id: number, type: string, rule?: 'repeated') => ({ id, type, ...(rule ? { rule } : {}) });

export const descriptor = {
  nested: {
    AnyValue: {
      oneofs: {
        value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] },
      },
      fields: {
        stringValue: f(1, 'string'),
        boolValue: f(2, 'bool'),
        intValue: f(3, 'int64'),
        doubleValue: f(4, 'double'),
        arrayValue: f(5, 'ArrayValue'),
        kvlistValue: f(6, 'KeyValueList'),
        bytesValue: f(7, 'bytes'),
      },
    },
    ArrayValue: { fields: { values: f(1, 'AnyValue', 'repeated') } },
    KeyValueList: { fields: { values: f(1, 'KeyValue', 'repeated') } },
    KeyValue: { fields: { key: f(1, 'string'), value: f(2, 'AnyValue') } },
    InstrumentationScope: { fields: { name: f(1, 'string'), version: f(2, 'string'), attributes: f(3, 'KeyValue', 'repeated') } },
    Resource: { fields: { attributes: f(1, 'KeyValue', 'repeated') } },

    ExportMetricsServiceRequest: { fields: { resourceMetrics: f(1, 'ResourceMetrics', 'repeated') } },
    ResourceMetrics: { fields: { resource: f(1, 'Resource'), scopeMetrics: f(2, 'ScopeMetrics', 'repeated') } },
    ScopeMetrics: { fields: { scope: f(1, 'InstrumentationScope'), metrics: f(2, 'Metric', 'repeated') } },
    Metric: {
      oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
      fields: {
        name: f(1, 'string'),
        unit: f(3, 'string'),
        gauge: f(5, 'Gauge'),
        sum: f(7, 'Sum'),
        histogram: f(9, 'Histogram'),
        exponentialHistogram: f(10, 'ExponentialHistogram'),
        summary: f(11, 'Summary'),
      },
    },
    Gauge: { fields: { dataPoints: f(1, 'NumberDataPoint', 'repeated') } },
    Sum: {
      fields: {
        dataPoints: f(1, 'NumberDataPoint', 'repeated'),
        aggregationTemporality: f(2, 'int32'),
        isMonotonic: f(3, 'bool'),
      },
    },
    Histogram: { fields: { dataPoints: f(1, 'HistogramDataPoint', 'repeated'), aggregationTemporality: f(2, 'int32') } },
    ExponentialHistogram: {
      fields: { dataPoints: f(1, 'ExponentialHistogramDataPoint', 'repeated'), aggregationTemporality: f(2, 'int32') },
    },
    // Read only to count its points as not understood.
    Summary: { fields: { dataPoints: f(1, 'Opaque', 'repeated') } },
    Opaque: { fields: {} },
    NumberDataPoint: {
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        attributes: f(7, 'KeyValue', 'repeated'),
        startTimeUnixNano: f(2, 'fixed64'),
        timeUnixNano: f(3, 'fixed64'),
        asDouble: f(4, 'double'),
        asInt: f(6, 'sfixed64'),
      },
    },
    HistogramDataPoint: {
      fields: {
        attributes: f(9, 'KeyValue', 'repeated'),
        startTimeUnixNano: f(2, 'fixed64'),
        timeUnixNano: f(3, 'fixed64'),
        count: f(4, 'fixed64'),
        sum: f(5, 'double'),
      },
    },
    // Its buckets are not read: only the sum of what was recorded, as for a histogram.
    ExponentialHistogramDataPoint: {
      fields: {
        attributes: f(1, 'KeyValue', 'repeated'),
        startTimeUnixNano: f(2, 'fixed64'),
        timeUnixNano: f(3, 'fixed64'),
        count: f(4, 'fixed64'),
        sum: f(5, 'double'),
      },
    },
    ExportMetricsServiceResponse: { fields: { partialSuccess: f(1, 'ExportMetricsPartialSuccess') } },
    ExportMetricsPartialSuccess: { fields: { rejectedDataPoints: f(1, 'int64'), errorMessage: f(2, 'string') } },

    ExportLogsServiceRequest: { fields: { resourceLogs: f(1, 'ResourceLogs', 'repeated') } },
    ResourceLogs: { fields: { resource: f(1, 'Resource'), scopeLogs: f(2, 'ScopeLogs', 'repeated') } },
    ScopeLogs: { fields: { scope: f(1, 'InstrumentationScope'), logRecords: f(2, 'LogRecord', 'repeated') } },
    LogRecord: {
      fields: {
        timeUnixNano: f(1, 'fixed64'),
        observedTimeUnixNano: f(11, 'fixed64'),
        body: f(5, 'AnyValue'),
        attributes: f(6, 'KeyValue', 'repeated'),
        eventName: f(12, 'string'),
      },
    },
    ExportLogsServiceResponse: { fields: { partialSuccess: f(1, 'ExportLogsPartialSuccess') } },
    ExportLogsPartialSuccess: { fields: { rejectedLogRecords: f(1, 'int64'), errorMessage: f(2, 'string') } },
  },
};
