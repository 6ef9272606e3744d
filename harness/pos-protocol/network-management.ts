/** The terminal's network management requests: 0800 sign-in, 0820 echo test and sign-out. */
import type { IsoMessage } from '../iso8583/index.js';
import { field60, MESSAGE_TYPE_CODE, NETWORK_CODE } from './field-60.js';
import { DEFAULT_OPERATOR_FIELD_63 } from './field-63.js';
import type { KeyScheme } from './field-62.js';
import type { TerminalIdentity } from './terminal-identity.js';

/** 0800 sign-in: field 60 = 00 ‖ batch ‖ key scheme (001, 003, 004); field 63 = operator 01. */
export function buildSignIn(
  id: TerminalIdentity,
  stan: string,
  batch = '000001',
  scheme: KeyScheme = NETWORK_CODE.SIGN_IN_DOUBLE_TDK,
): IsoMessage {
  return {
    mti: '0800',
    fields: {
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      60: field60({ messageType: MESSAGE_TYPE_CODE.NETWORK, batch, networkCode: scheme }),
      63: DEFAULT_OPERATOR_FIELD_63,
    },
  };
}

/** 0820 echo test (60.3 = 301) or sign-out (60.3 = 002). */
export function buildNetworkManagement(
  id: TerminalIdentity,
  stan: string,
  batch: string,
  code: typeof NETWORK_CODE.ECHO | typeof NETWORK_CODE.SIGN_OUT = NETWORK_CODE.ECHO,
): IsoMessage {
  return {
    mti: '0820',
    fields: {
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      60: field60({ messageType: MESSAGE_TYPE_CODE.NETWORK, batch, networkCode: code }),
    },
  };
}
