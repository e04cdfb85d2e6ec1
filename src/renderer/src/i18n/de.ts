import type { PartialMessages } from './en';

/** German strings (Sie-form, as the German service guide addresses agents and customers). */
export const de: PartialMessages = {
  app: {
    title: 'Calmline',
    settings: 'Einstellungen',
    closeSettings: 'Einstellungen schließen',
  },
  bridge: {
    title: 'Calmline erreicht das Telefon nicht',
    body: 'Die Verbindung zum Telefondienst (Host-Bridge) fehlt, daher können Anrufe weder angezeigt noch angenommen werden.',
    action:
      'Starten Sie Calmline neu. Wenn das wieder passiert, wenden Sie sich an den IT-Support.',
  },
  registration: {
    loading: 'Verbindung zum Telefondienst wird hergestellt…',
    unconfigured: 'Kein SIP-Konto eingerichtet',
    connecting: 'Verbindung zur Telefonanlage wird hergestellt…',
    registered: 'Angemeldet als <uri>{{aor}}</uri>',
    failed: 'Anmeldung fehlgeschlagen: <reason>{{reason}}</reason>',
    failedNoReason: 'Anmeldung fehlgeschlagen',
    stopped: 'Telefon gestoppt',
  },
  phone: {
    loadFailed: 'Der Telefonstatus konnte nicht geladen werden.',
    invalidUpdate:
      'Der Telefondienst hat eine Aktualisierung gesendet, die Calmline nicht lesen konnte. Die Anzeige ist möglicherweise veraltet.',
  },
  calls: {
    heading: 'Anrufe',
    none: 'Zurzeit keine Anrufe.',
    unknownCaller: 'Unbekannter Anrufer',
    region: 'Anruf mit {{caller}}',
    incomingAnnouncement: 'Eingehender Anruf von {{caller}}',
    state: {
      ringing: 'Klingelt…',
      dialing: 'Wählt…',
      active: 'Im Gespräch',
      ended: 'Anruf beendet',
    },
    answer: 'Annehmen',
    answerLabel: 'Anruf von {{caller}} annehmen',
    decline: 'Ablehnen',
    declineLabel: 'Anruf von {{caller}} ablehnen',
    hangUp: 'Auflegen',
    hangUpLabel: 'Anruf mit {{caller}} beenden',
  },
  recent: {
    heading: 'Zuletzt beendet',
    none: 'Noch keine Anrufe.',
    endedAt: 'Beendet um {{time}}',
    endReason: {
      'local-hangup': 'Sie haben aufgelegt',
      'remote-hangup': 'Anrufer hat aufgelegt',
      declined: 'Abgelehnt',
      'caller-cancelled': 'Verpasst: Der Anrufer hat vor der Annahme aufgelegt',
      failed: 'Anruf fehlgeschlagen',
      unknown: 'Beendet',
    },
  },
  errors: {
    generic: 'Das hat nicht geklappt. Bitte versuchen Sie es erneut.',
    'unknown-channel':
      'Der Telefondienst kennt diese Anfrage nicht. Calmline muss eventuell aktualisiert werden.',
    'forbidden-sender': 'Der Telefondienst hat eine Anfrage aus diesem Fenster abgelehnt.',
    'invalid-payload':
      'Der Telefondienst hat die Anfrage abgelehnt, weil einige Angaben ungültig waren.',
    'call-not-found': 'Diesen Anruf gibt es nicht mehr. Er wurde vielleicht gerade beendet.',
    'invalid-transition':
      'Das ist bei diesem Anruf gerade nicht möglich. Er hat sich vielleicht gerade geändert.',
    'not-configured':
      'Es ist kein SIP-Konto eingerichtet. Öffnen Sie die Einstellungen, um eines hinzuzufügen.',
    'sip-error': 'Die Telefonanlage hat einen Fehler gemeldet. Bitte versuchen Sie es erneut.',
    internal: 'In Calmline ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.',
  },
  account: {
    heading: 'SIP-Konto',
    loading: 'Konto wird geladen…',
    loadFailed:
      'Das gespeicherte Konto konnte nicht geladen werden. Sie können es erneut eingeben.',
    wsUrl: 'WebSocket-URL',
    wsUrlHint: 'Zum Beispiel wss://pbx.example.com:8089/ws',
    sipUri: 'SIP-URI',
    sipUriHint: 'Zum Beispiel sip:1001@pbx.example.com',
    displayName: 'Anzeigename',
    password: 'Passwort',
    passwordUnchanged: 'unverändert',
    passwordKeepHint: 'Leer lassen, um das gespeicherte Passwort zu behalten.',
    noPassword: 'Kein Passwort (der Server verlangt keines)',
    save: 'Speichern',
    saving: 'Wird gespeichert…',
    saved: 'Gespeichert',
    refused: 'Die Einstellungen wurden nicht gespeichert.',
    invalid: {
      wsUrl: 'Geben Sie eine URL ein, die mit ws:// oder wss:// beginnt.',
      sipUri: 'Geben Sie eine SIP-URI wie sip:benutzer@host ein.',
      tooLong: 'Das ist zu lang: höchstens {{max}} Zeichen.',
      generic: 'Dieser Wert ist ungültig.',
    },
  },
};
