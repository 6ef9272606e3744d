/**
 * Field 63 (CUP 自定义域, ans..163). In a terminal's request 63.1 is the operator number (操作员号, ans3);
 * in the host's answer 63.1 is the international card organisation code (国际信用卡公司代码: CUP, VIS,
 * MCC, JCB, AMX…).
 */
import { MessageBuildError } from './errors.js';

/** Field 63 of a request sent by `operator` (1–3 characters, space padded on the right). */
export function operatorField63(operator = '01'): string {
  if (operator.length < 1 || operator.length > 3 || !/^[\x20-\x7e]+$/.test(operator))
    throw new MessageBuildError(63, `operator number must be 1 to 3 printable characters, got '${operator}'`);
  return operator.padEnd(3, ' ');
}

/** Field 63 of a request from the default operator 01. */
export const DEFAULT_OPERATOR_FIELD_63 = operatorField63('01');

/** 63.1 of an answer, the card organisation code (trimmed), or undefined when absent. */
export function cardOrganisation(field63: string | undefined): string | undefined {
  const code = field63?.slice(0, 3).trim();
  return code ? code : undefined;
}
