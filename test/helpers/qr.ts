import jsQR from 'jsqr';

type JsQr = typeof import('jsqr')['default'];
/** jsqr is CommonJS with `exports.default`: under NodeNext the default import is `module.exports`. */
export const decodeQr: JsQr = (jsQR as unknown as { default?: JsQr }).default ?? (jsQR as unknown as JsQr);
