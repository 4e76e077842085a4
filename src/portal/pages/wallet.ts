import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import type { WalletOffer } from '../issuance/wallet-offer.js';

/** The offer as a QR code for the person's phone, the transaction code beside it, and a same-device link. */
export function walletPage(pc: PageContext, offer: WalletOffer, qr: string, back: string): SafeHtml {
  const body = html`<h1>${pc.m.walletHeading}</h1>
<p class="lead">${pc.m.walletText}</p>
<div class="wallet-offer" id="wallet-offer" data-testid="wallet-offer" data-offer-uri="${offer.uri}">
<img class="offer-qr" src="${qr}" alt="${pc.m.walletQrAlt}" width="300" height="300" data-testid="offer-qr">
${
  offer.txCode
    ? html`<p>${pc.m.walletTxCode}: <strong class="tx-code" id="tx-code" data-testid="tx-code">${offer.txCode}</strong></p>`
    : ''
}
<p><a class="button secondary" id="open-wallet" href="${offer.uri}">${pc.m.walletSameDevice}</a></p>
<p class="lead">${pc.m.walletExpires(offer.expiresAt.slice(0, 16).replace('T', ' '))}</p>
</div>
<p class="actions"><a class="button secondary" id="back-to-credential" href="${back}">${pc.m.walletBack}</a></p>`;
  return layout(pc, { title: pc.m.walletHeading, body });
}
