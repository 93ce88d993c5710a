export { ErrorCode, DatarusError, isErrorCode } from './errors.js';
