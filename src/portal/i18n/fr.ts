import type { Messages } from './en.js';

export const fr: Messages = {
  languageName: 'Français',
  skipLink: 'Aller au contenu',
  languageNav: 'Langue',
  footer: 'Les attestations sont délivrées avec OpenID for Verifiable Credential Issuance.',
  home: 'Attesta',
  verifyNav: 'Vérifier une attestation',

  catalogTitle: 'Attestations',
  catalogHeading: 'Obtenir une attestation numérique',
  catalogLead:
    'Choisissez une attestation. Vous vous identifiez pour prouver qui vous êtes, puis vous pouvez la consulter, la télécharger ou l’ajouter à votre portefeuille.',
  searchLabel: 'Rechercher une attestation',
  searchButton: 'Rechercher',
  searchResults: (n, q) => `${n} résultat${n > 1 ? 's' : ''} pour « ${q} »`,
  noResults: 'Aucune attestation ne correspond à votre recherche.',
  noTypes: 'L’émetteur ne propose aucune attestation pour le moment.',
  issuerUnavailable: 'Cet émetteur est injoignable pour le moment.',
  getCredential: (name) => `Obtenir : ${name}`,
  bindToBrowser: (name) => `Obtenir : ${name}, liée à ce navigateur`,
  otherFormats: 'Autres formats',
  otherFormatsHint: 'Seulement si un service vous demande l’un de ces formats :',
  formatNames: {
    sdJwt: 'Pour les portefeuilles européens (SD-JWT)',
    jwtVc: 'Attestation vérifiable W3C (JWT)',
    ldpVc: 'Attestation vérifiable W3C (JSON-LD)',
    mdl: 'Permis de conduire mobile (ISO mdoc)',
    mdoc: 'Document mobile (ISO mdoc)',
    other: 'Un autre format',
  },
  issuedBy: (issuer) => `Délivrée par ${issuer}`,

  resultLead: (issuer, issued, until) =>
    `Délivrée par ${issuer}${issued ? ` le ${issued}` : ''}${until ? `, valable jusqu’au ${until}` : ''}. La signature et chaque donnée ci-dessous ont été vérifiées.`,
  disclosedHeading: 'Ce que voit un vérificateur',
  disclosedText:
    'Cette attestation SD-JWT divulgue les données une à une. Les données « sélectionnables » ne sont montrées à un vérificateur que si vous choisissez de les révéler ; les autres sont toujours visibles.',
  selectable: 'sélectionnable',
  alwaysVisible: 'toujours visible',
  pdfQrInline:
    'Ce code QR contient l’attestation elle-même, compressée. Scannez-le avec un vérificateur, ou déposez ce PDF sur la page de vérification.',
  pdfQrLink: (until) =>
    `Ce code QR est un lien à usage unique vers l’attestation, valable jusqu’au ${until} (UTC).`,
  pdfUncovered:
    'Un ? remplace un caractère que les polices de ce PDF ne savent pas dessiner ; le code QR contient la valeur exacte.',
  qrHeading: 'Code QR',
  downloadsHeading: 'Emportez-la',
  downloadRaw: 'Télécharger l’attestation',
  downloadJson: 'Télécharger en JSON',
  downloadPdf: 'Télécharger en PDF avec code QR',
  anotherCredential: 'Obtenir une autre attestation',
  resultNote:
    'Cette page et les téléchargements restent disponibles peu de temps, et seulement dans ce navigateur.',
  boundToBrowser:
    'Cette attestation est liée à une clé conservée dans ce navigateur ; le serveur ne l’a jamais détenue.',
  yes: 'Oui',
  genders: {
    female: 'Femme',
    male: 'Homme',
    other: 'Autre',
    unknown: 'Inconnu',
    notApplicable: 'Sans objet',
  },
  no: 'Non',
  photo: 'Photo',

  bindTitle: 'Liaison de l’attestation à ce navigateur',
  bindText:
    'Ce navigateur crée une clé non exportable et signe la demande. La page continue d’elle-même dans un instant.',
  bindNoScript:
    'La liaison à ce navigateur nécessite JavaScript. Activez-le, ou obtenez l’attestation sans liaison.',
  bindContinue: 'Continuer',
  bindFailed: 'Ce navigateur n’a pas pu créer ou utiliser de clé.',

  verifyTitle: 'Vérifier une attestation',
  verifyLead:
    'Déposez un fichier d’attestation, le PDF de ce portail ou une image de son code QR. Rien n’est conservé après la vérification.',
  verifyFile: 'Attestation, PDF ou image du code QR',
  verifyText: 'Ou collez l’attestation',
  verifyButton: 'Vérifier',
  verifyValid: 'L’attestation est valide',
  verifyInvalid: 'L’attestation n’est pas valide',
  verifyWarning: 'L’attestation est authentique, mais regardez de plus près',
  verifyValidText: (issuer) => `Délivrée par ${issuer}. Sa signature et son statut sont vérifiés.`,
  verifyExpiresSoon: (date) => `Elle expire bientôt, le ${date}.`,
  verifyReasons: {
    revoked: 'L’émetteur l’a révoquée : elle ne compte plus.',
    suspended:
      'L’émetteur l’a suspendue pour l’instant : elle ne compte pas tant que l’émetteur n’a pas levé la suspension.',
    expired: 'Elle a expiré.',
    notYetValid: 'Elle n’est pas encore valide.',
    unknownIssuer: 'Elle vient d’un émetteur auquel ce portail ne fait pas confiance.',
    signature: 'Sa signature ne correspond pas : elle a été modifiée ou contrefaite.',
    malformed: 'Elle est abîmée, ou ce n’est pas une attestation que ce portail sait lire.',
    unavailable:
      'Un contrôle n’a pas pu être fait pour l’instant (l’émetteur est injoignable). Réessayez plus tard.',
    other: 'Elle n’a pas passé un contrôle (voir les détails techniques).',
  },
  claimsHeading: 'Ce qu’elle indique',
  technicalDetails: 'Détails techniques',
  detailFormat: 'Format',
  detailIssuerId: 'Identifiant de l’émetteur',
  detailReasons: 'Motifs donnés par les contrôles',
  checkSignature: 'Signature',
  checkIssuer: 'Émetteur',
  checkValidity: 'Période de validité',
  checkStatus: 'Statut',
  checkPassed: 'réussi',
  checkFailed: 'échoué',
  checkSkipped: 'non vérifié',
  verifyNothing: 'Aucune attestation n’a été trouvée dans ce que vous avez envoyé.',
  verifyAnother: 'Vérifier une autre attestation',

  walletHeading: 'Ajouter à votre portefeuille',
  walletText:
    'Scannez ce code avec votre application portefeuille. Elle reçoit la même attestation, liée à sa propre clé.',
  walletTxCode: 'Code de transaction à saisir dans votre portefeuille',
  walletQrAlt: 'Code QR de l’offre d’attestation pour votre portefeuille',
  walletSameDevice: 'Ouvrir dans un portefeuille sur cet appareil',
  walletExpires: (until) => `L’offre peut servir une fois, jusqu’au ${until} (UTC).`,
  walletBack: 'Retour à l’attestation',
  walletButton: 'Ajouter au portefeuille',

  backHome: 'Retour aux attestations',
  lockedUntil: (time, minutes) =>
    `Vous pourrez réessayer après ${time} UTC (dans environ ${minutes} minute${minutes > 1 ? 's' : ''}).`,
  lockedNow:
    'Vous pouvez recommencer dès maintenant. Vérifiez bien vos informations : après d’autres échecs, l’identification est bloquée pendant un moment.',
  reference: 'Référence',
  errors: {
    issuer_metadata: [
      'L’émetteur d’attestations est indisponible',
      'Nous n’avons pas pu joindre l’émetteur. Veuillez réessayer dans quelques minutes.',
    ],
    authorization_server: [
      'Le service d’identification est indisponible',
      'Nous n’avons pas pu joindre le service d’identification. Veuillez réessayer dans quelques minutes.',
    ],
    authorization: [
      'L’identification n’a pas abouti',
      'Le service d’identification a signalé un problème avec la demande. Veuillez recommencer.',
    ],
    token: [
      'L’identification n’a pas pu être confirmée',
      'Le service d’identification n’a pas confirmé votre identification. Veuillez recommencer.',
    ],
    nonce: [
      'L’attestation n’a pas pu être demandée',
      'L’émetteur n’a pas pu préparer la demande. Veuillez recommencer.',
    ],
    credential: [
      'L’attestation n’a pas été délivrée',
      'L’émetteur a refusé de délivrer l’attestation. Veuillez recommencer.',
    ],
    verification: [
      'L’attestation n’a pas pu être vérifiée',
      'L’attestation reçue de l’émetteur n’a pas passé nos contrôles ; elle n’est donc pas affichée.',
    ],
    expired: [
      'Cette identification a expiré',
      'Nous n’avons pas pu rattacher cette identification à une demande de ce navigateur : elle a peut-être expiré, déjà servi ou commencé dans un autre navigateur. Veuillez recommencer.',
    ],
    cancelled: [
      'Identification annulée',
      'Vous avez annulé l’identification : aucune attestation n’a été délivrée. Vous pouvez recommencer à tout moment.',
    ],
    denied: [
      'Vous n’avez pas accepté de partager vos informations',
      'Vous avez choisi de ne pas partager vos informations avec ce portail : aucune attestation n’a été délivrée. Vous pouvez recommencer à tout moment.',
    ],
    locked: [
      'L’identification est bloquée pour l’instant',
      'Il y a eu trop de tentatives d’identification échouées. Pour votre sécurité, nous ne disons pas quelle information ne correspondait pas.',
    ],
    pageNotFound: [
      'Page introuvable',
      'Il n’y a pas de page à cette adresse. Vérifiez l’adresse, ou revenez aux attestations.',
    ],
    notFound: [
      'Introuvable',
      'Il n’y a rien ici, ou ce n’est plus disponible. Les attestations ne sont conservées que peu de temps, et seulement pour le navigateur qui les a obtenues.',
    ],
    crossSite: [
      'Formulaire envoyé depuis un autre site',
      'Ce formulaire ne vient pas de nos pages : rien n’a été fait. Recommencez depuis le portail.',
    ],
    tooMany: ['Trop de demandes', 'Veuillez patienter une minute avant de réessayer.'],
    busy: [
      'Service occupé',
      'Beaucoup de personnes utilisent ce service en ce moment. Veuillez réessayer dans quelques secondes.',
    ],
    badRequest: ['Demande incomprise', 'L’adresse que vous avez suivie n’est pas valide.'],
    internal: [
      'Une erreur est survenue',
      'Une erreur inattendue s’est produite de notre côté. Veuillez réessayer.',
    ],
  },
};
