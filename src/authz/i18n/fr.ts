import type { Messages } from './messages.js';

const CREDENTIALS: Record<string, string> = {
  national_id: 'Votre attestation d’identité nationale',
  insurance_policy: 'Votre attestation de police d’assurance',
  driving_licence: 'Votre attestation de permis de conduire',
};

export const fr: Messages = {
  languageName: 'Français',
  dir: 'ltr',
  brand: 'Connexion Attesta',
  languageSwitcher: 'Langue',
  continue: 'Continuer',
  cancel: 'Annuler et revenir',
  signInTitle: 'Connexion',
  kbiIntro: (client) =>
    `${client} demande à confirmer votre identité. Saisissez vos informations exactement comme elles figurent dans le registre.`,
  mismatch: 'Les informations saisies ne correspondent pas à nos données. Vérifiez-les et réessayez.',
  invalidForm: 'Remplissez chaque champ au format attendu (dates au format AAAA-MM-JJ).',
  attemptsLeft: (n) => (n === 1 ? 'Il vous reste une tentative.' : `Il vous reste ${n} tentatives.`),
  blocked: ({ time, minutes }) =>
    `Trop de tentatives échouées pour cet identifiant. Réessayez plus tard. L’identification est bloquée pour l’instant : vous pourrez réessayer après ${time} UTC (dans environ ${minutes} minute${minutes > 1 ? 's' : ''}). Pour votre sécurité, nous ne disons pas quelle information ne correspondait pas.`,
  passwordMismatch: 'Le numéro d’identification ou le mot de passe est incorrect.',
  registryUnavailable: 'Le registre est momentanément injoignable. Réessayez plus tard.',
  passwordIntro: (client) =>
    `${client} demande à confirmer votre identité. Saisissez votre numéro d’identification et votre mot de passe.`,
  passwordLabel: 'Mot de passe',
  otpIntro: (client) =>
    `${client} demande à confirmer votre identité. Saisissez votre numéro d’identification : nous enverrons un code à usage unique aux coordonnées que le registre détient.`,
  otpSend: 'Envoyer le code',
  otpSentTo: (masked, minutes) =>
    `Nous avons envoyé un code à 6 chiffres à ${masked}. Il expire dans ${minutes} minutes.`,
  otpCodeLabel: 'Code à usage unique',
  otpCodeHint: '6 chiffres',
  otpVerify: 'Vérifier',
  otpResend: 'Envoyer un nouveau code',
  otpResendWait: (s) => `Vous pourrez demander un nouveau code dans ${s} secondes.`,
  otpExpired: 'Ce code a expiré. Demandez-en un nouveau.',
  otpWrong: 'Ce code n’est pas correct.',
  otpNoMoreSends: 'Aucun autre code ne peut être envoyé pour cette connexion.',
  otpMailSubject: 'Votre code de connexion Attesta',
  otpMailText: (code, minutes) =>
    `Votre code de connexion est ${code}. Il expire dans ${minutes} minutes. Si vous ne l’avez pas demandé, ignorez ce message.`,
  consentTitle: 'Partager vos informations',
  consentIntro: (client) => `${client} demande les éléments suivants :`,
  essential: 'obligatoire',
  voluntary: 'facultatif',
  consentAllow: 'Autoriser',
  consentDeny: 'Refuser',
  consentRemember: (days) => `Votre choix est conservé pendant ${days} jours.`,
  claims: {
    sub: 'Votre identifiant',
    name: 'Nom complet',
    given_name: 'Prénom',
    family_name: 'Nom de famille',
    birthdate: 'Date de naissance',
    gender: 'Genre',
    email: 'Adresse électronique',
    phone_number: 'Numéro de téléphone',
    address: 'Adresse postale',
  },
  scopeLabel: (scope) => CREDENTIALS[scope] ?? `Accès : ${scope}`,
  expiredTitle: 'Demande de connexion expirée',
  expiredMessage:
    'Cette demande de connexion a expiré ou est déjà terminée. Revenez au service d’origine et recommencez.',
  crossSiteTitle: 'Formulaire envoyé depuis un autre site',
  crossSiteMessage:
    'Ce formulaire ne vient pas de nos pages de connexion : rien n’a été fait. Revenez au service d’origine et recommencez.',
  errorTitle: 'Demande refusée',
  errorMessage:
    'Cette demande de connexion n’a pas pu être traitée. Revenez au service d’origine et réessayez.',
  logoutTitle: 'Déconnexion',
  logoutQuestion: (client) => `Voulez-vous vous déconnecter de ${client} ?`,
  logoutYes: 'Se déconnecter',
  logoutNo: 'Rester connecté',
  loggedOutTitle: 'Déconnecté',
  loggedOutMessage: 'Vous êtes déconnecté. Vous pouvez fermer cette fenêtre.',
  outboxTitle: 'Boîte d’envoi de développement',
  outboxEmpty: 'Aucun message pour l’instant.',
};
