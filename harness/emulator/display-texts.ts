/**
 * What the terminal shows and prints, in English and Chinese (the profile's `language`). Keys are stable
 * (scenarios and the web UI match on them); texts may be reworded.
 */
export type Language = 'en' | 'zh';

const TEXTS = {
  welcome: ['WELCOME', '欢迎使用'],
  outOfService: ['OUT OF SERVICE', '暂停服务'],
  notSignedIn: ['PLEASE SIGN IN', '请先签到'],
  signingIn: ['SIGNING IN...', '正在签到...'],
  signInOk: ['SIGN-IN OK', '签到成功'],
  signInFailed: ['SIGN-IN FAILED', '签到失败'],
  keyCheckError: ['KEY CHECK ERROR', '密钥校验错'],
  lineDown: ['COMMUNICATION FAILED', '通讯失败'],
  retrying: ['RETRYING...', '正在重试...'],
  amount: ['AMOUNT', '金额'],
  insertCard: ['PLEASE INSERT, TAP OR SWIPE CARD', '请插卡/挥卡/刷卡'],
  insertCardAtm: ['PLEASE INSERT CARD', '请插卡'],
  insertCardNoTap: ['PLEASE INSERT OR SWIPE CARD', '请插卡/刷卡'],
  processing: ['PROCESSING...', '处理中...'],
  readingCard: ['READING CARD...', '读卡中...'],
  selectApp: ['SELECTING APPLICATION', '选择应用'],
  enterPin: ['PLEASE ENTER PIN', '请输入密码'],
  wrongPinRetry: ['WRONG PIN, TRIES LEFT', '密码错误，剩余次数'],
  pinBlocked: ['PIN BLOCKED', '密码已锁'],
  connecting: ['CONNECTING...', '正在连接...'],
  reversing: ['REVERSAL IN PROGRESS', '正在冲正'],
  approved: ['APPROVED', '交易成功'],
  approvedOffline: ['APPROVED (OFFLINE)', '交易成功(脱机)'],
  declined: ['DECLINED', '交易拒绝'],
  cardDeclined: ['DECLINED BY CARD', '卡片拒绝'],
  cancelled: ['CANCELLED', '交易取消'],
  timeout: ['TIMEOUT', '超时'],
  hostTimeout: ['NO ANSWER FROM HOST', '交易超时'],
  macError: ['MAC ERROR', 'MAC校验错'],
  cardNotSupported: ['CARD NOT SUPPORTED', '不支持此卡'],
  cardReadError: ['CARD READ ERROR', '读卡失败'],
  cardExpired: ['CARD EXPIRED', '卡片过期'],
  cardNotEffective: ['CARD NOT YET EFFECTIVE', '卡片未生效'],
  appBlocked: ['APPLICATION BLOCKED', '应用已锁'],
  pleaseInsertChip: ['PLEASE INSERT CHIP CARD', '请插IC卡'],
  pleaseSwipe: ['CHIP ERROR, PLEASE SWIPE', 'IC卡故障，请刷卡'],
  pleaseTapAgain: ['PLEASE TAP AGAIN', '请重新挥卡'],
  useContact: ['PLEASE INSERT CARD', '请插卡'],
  removeCard: ['PLEASE REMOVE CARD', '请拔卡'],
  cardRemoved: ['CARD REMOVED, TRANSACTION CANCELLED', '卡片已拔出，交易取消'],
  cardNotRemoved: ['CARD NOT REMOVED, PLEASE REMOVE CARD', '卡片未取走，请拔卡'],
  cardNotTaken: ['CARD NOT TAKEN, CARD RETAINED', '卡片未取走，已被吞卡'],
  cardRetained: ['CARD RETAINED, CONTACT YOUR BANK', '卡已被吞，请联系发卡行'],
  chipOnly: ['CHIP CARDS ONLY', '仅支持IC卡'],
  notSupportedTx: ['TRANSACTION NOT SUPPORTED', '不支持该交易'],
  reversalFailed: ['REVERSAL PENDING, TRY AGAIN', '冲正未完成，请重试'],
  balance: ['BALANCE', '余额'],
  settling: ['SETTLING...', '结算中...'],
  settled: ['SETTLEMENT OK', '结算成功'],
  settledUnbalanced: ['SETTLEMENT UNBALANCED, UPLOADED', '对账不平，已上送'],
  dispensing: ['PLEASE TAKE YOUR CASH', '请取钞'],
  originalNotFound: ['ORIGINAL NOT FOUND', '原交易不存在'],
  readerFault: ['CARD READER FAULT', '读卡器故障'],
  pinpadFault: ['PIN PAD FAULT', '密码键盘故障'],
  approvedNoReceipt: ['APPROVED, RECEIPT NOT PRINTED (PRINTER FAULT)', '交易成功，打印机故障'],
  // Response codes (field 39) as the display words them.
  rc03: ['INVALID MERCHANT', '无效商户'],
  rc05: ['DO NOT HONOUR', '不予承兑'],
  rc12: ['INVALID TRANSACTION', '无效交易'],
  rc13: ['INVALID AMOUNT', '无效金额'],
  rc14: ['INVALID CARD', '无效卡号'],
  rc22: ['ALREADY REVERSED', '原交易已撤销'],
  rc25: ['ORIGINAL NOT FOUND', '原交易不存在'],
  rc30: ['FORMAT ERROR', '格式错误'],
  rc33: ['EXPIRED CARD, CARD RETAINED', '过期卡，请没收'],
  rc41: ['LOST CARD', '挂失卡'],
  rc43: ['STOLEN CARD', '被窃卡'],
  rc51: ['INSUFFICIENT FUNDS', '余额不足'],
  rc54: ['EXPIRED CARD', '过期卡'],
  rc55: ['WRONG PIN', '密码错'],
  rc59: ['DECLINED BY RISK CONTROL', '风险受限'],
  rc61: ['EXCEEDS AMOUNT LIMIT', '超出金额限制'],
  rc62: ['RESTRICTED CARD', '受限制的卡'],
  rc65: ['EXCEEDS FREQUENCY LIMIT', '超出交易次数限制'],
  rc75: ['PIN TRIES EXCEEDED', '密码错误次数超限'],
  rc77: ['PLEASE SIGN IN AGAIN', '请重新签到'],
  rc91: ['ISSUER UNAVAILABLE', '发卡方不能操作'],
  rc96: ['SYSTEM ERROR', '系统故障'],
  rc97: ['TERMINAL NOT REGISTERED', '终端未登记'],
  rcA0: ['MAC ERROR', 'MAC校验错'],
  receiptTitle: ['PAYHIL POS SALES SLIP', '银联POS签购单'],
  merchantCopy: ['MERCHANT COPY', '商户存根'],
  customerCopy: ['CUSTOMER COPY', '持卡人存根'],
  merchant: ['MERCHANT', '商户名称'],
  terminal: ['TERMINAL', '终端编号'],
  card: ['CARD', '卡号'],
  txType: ['TYPE', '交易类型'],
  batch: ['BATCH', '批次号'],
  trace: ['TRACE', '凭证号'],
  ref: ['REF', '参考号'],
  auth: ['AUTH', '授权码'],
  date: ['DATE', '日期'],
  total: ['AMOUNT', '金额'],
  signature: ['CARDHOLDER SIGNATURE', '持卡人签名'],
  noSignature: ['PIN VERIFIED, NO SIGNATURE REQUIRED', '密码验证，免签名'],
  purchase: ['SALE', '消费'],
  void: ['VOID', '消费撤销'],
  refund: ['REFUND', '退货'],
  preAuth: ['PRE-AUTH', '预授权'],
  completion: ['PRE-AUTH COMPLETION', '预授权完成'],
  withdraw: ['WITHDRAWAL', '取款'],
  signIn: ['SIGN-IN', '签到'],
  settle: ['SETTLEMENT', '结算'],
} as const satisfies Record<string, readonly [string, string]>;

export type TextKey = keyof typeof TEXTS;

/** Every display key, in the table's order (docs/scenario-language.md lists them all). */
export const TEXT_KEYS = Object.keys(TEXTS) as TextKey[];

/** The text of `key` in `lang`. */
export function text(key: TextKey, lang: Language): string {
  return TEXTS[key][lang === 'zh' ? 1 : 0];
}

/** The display key for a response code, or `declined` for an unlisted one. */
export function responseCodeKey(rc: string): TextKey {
  const k = `rc${rc.toUpperCase()}`;
  return (k in TEXTS ? k : 'declined') as TextKey;
}

/** True when `key` is a known text key. */
export function isTextKey(key: string): key is TextKey {
  return key in TEXTS;
}
