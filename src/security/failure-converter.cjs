// Loaded by path (DataConverter.failureConverterPath): by the worker with require(), and bundled into
// the workflow sandbox, hence plain CommonJS. With the payload codec on, failure messages and stack
// traces move into an encoded payload too, so Temporal's history holds no readable error text.
/* global require, exports */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
