import type { PartialMessages } from './en';

/**
 * Persian strings (right-to-left); missing ones fall back to English. Technical
 * terms (SIP, WebSocket, ws://) stay in Latin script as agents see them on the PBX.
 */
export const fa: PartialMessages = {
  app: {
    title: 'Calmline',
    settings: 'تنظیمات',
    closeSettings: 'بستن تنظیمات',
  },
  bridge: {
    title: 'Calmline به تلفن دسترسی ندارد',
    body: 'ارتباط با سرویس تلفن (پل میزبان) برقرار نیست، بنابراین تماس‌ها نمایش داده نمی‌شوند و نمی‌توان به آن‌ها پاسخ داد.',
    action:
      'Calmline را دوباره راه‌اندازی کنید. اگر این مشکل تکرار شد، با پشتیبانی فناوری اطلاعات تماس بگیرید.',
  },
  registration: {
    loading: 'در حال اتصال به سرویس تلفن…',
    unconfigured: 'هیچ حساب SIP تنظیم نشده است',
    connecting: 'در حال اتصال به سامانهٔ تلفن…',
    registered: 'ثبت‌شده با نشانی <uri>{{aor}}</uri>',
    failed: 'ثبت ناموفق بود: <reason>{{reason}}</reason>',
    failedNoReason: 'ثبت ناموفق بود',
    stopped: 'تلفن متوقف شده است',
  },
  phone: {
    loadFailed: 'وضعیت تلفن بارگیری نشد.',
    invalidUpdate:
      'سرویس تلفن به‌روزرسانی‌ای فرستاد که Calmline نتوانست آن را بخواند. آنچه می‌بینید ممکن است به‌روز نباشد.',
  },
  calls: {
    heading: 'تماس‌ها',
    none: 'در حال حاضر تماسی نیست.',
    unknownCaller: 'تماس‌گیرندهٔ ناشناس',
    region: 'تماس با {{caller}}',
    incomingAnnouncement: 'تماس ورودی از {{caller}}',
    state: {
      ringing: 'در حال زنگ خوردن…',
      dialing: 'در حال شماره‌گیری…',
      active: 'در حال مکالمه',
      ended: 'تماس پایان یافت',
    },
    answer: 'پاسخ',
    answerLabel: 'پاسخ به تماس {{caller}}',
    decline: 'رد کردن',
    declineLabel: 'رد تماس {{caller}}',
    hangUp: 'قطع تماس',
    hangUpLabel: 'قطع تماس با {{caller}}',
  },
  recent: {
    heading: 'تماس‌های اخیر',
    none: 'هنوز تماسی نبوده است.',
    endedAt: 'پایان در {{time}}',
    endReason: {
      'local-hangup': 'شما تماس را قطع کردید',
      'remote-hangup': 'تماس‌گیرنده قطع کرد',
      declined: 'رد شد',
      'caller-cancelled': 'از دست رفته: تماس‌گیرنده پیش از پاسخ قطع کرد',
      failed: 'تماس ناموفق بود',
      unknown: 'پایان یافت',
    },
  },
  errors: {
    generic: 'انجام نشد. لطفاً دوباره تلاش کنید.',
    'call-not-found': 'این تماس دیگر وجود ندارد. شاید همین حالا پایان یافته باشد.',
    'not-configured': 'هیچ حساب SIP تنظیم نشده است. برای افزودن، تنظیمات را باز کنید.',
    internal: 'در Calmline خطایی رخ داد. لطفاً دوباره تلاش کنید.',
  },
  account: {
    heading: 'حساب SIP',
    loading: 'در حال بارگیری حساب…',
    wsUrlHint: 'برای نمونه wss://pbx.example.com:8089/ws',
    sipUriHint: 'برای نمونه sip:1001@pbx.example.com',
    wsUrl: 'نشانی WebSocket',
    sipUri: 'نشانی SIP',
    displayName: 'نام نمایشی',
    password: 'گذرواژه',
    passwordUnchanged: 'بدون تغییر',
    passwordKeepHint: 'برای نگه داشتن گذرواژهٔ ذخیره‌شده، این قسمت را خالی بگذارید.',
    noPassword: 'بدون گذرواژه (سرور گذرواژه نمی‌خواهد)',
    save: 'ذخیره',
    saving: 'در حال ذخیره…',
    saved: 'ذخیره شد',
    refused: 'تنظیمات ذخیره نشد.',
    invalid: {
      wsUrl: 'نشانی‌ای وارد کنید که با ws:// یا wss:// آغاز شود.',
      sipUri: 'نشانی SIP مانند sip:user@host وارد کنید.',
    },
  },
};
