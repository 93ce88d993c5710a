// Request/response bodies on NATS: binary protobuf by default, proto3 JSON when
// the request says `datarus-encoding: json` (handy for languages without a
// protobuf runtime at hand).
import { decodeMessage, encodeMessage, messageFromJson, messageToJson, type MessageName, type MessageTypes } from '@datarus/contracts';
import type { WireEncoding } from '../subjects.js';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8');

export function encodeBody<K extends MessageName>(name: K, value: MessageTypes[K], encoding: WireEncoding): Uint8Array {
  return encoding === 'json' ? utf8.encode(messageToJson(name, value)) : encodeMessage(name, value);
}

/** Throws E_BAD_MESSAGE on a malformed body. */
export function decodeBody<K extends MessageName>(name: K, body: Uint8Array, encoding: WireEncoding): MessageTypes[K] {
  return encoding === 'json' ? messageFromJson(name, fromUtf8.decode(body)) : decodeMessage(name, body);
}
