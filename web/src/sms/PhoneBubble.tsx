/**
 * An SMS as a phone shows it: a speech bubble in a phone frame, the sender on top. `dir` follows
 * the message's locale (rtl for ar, fa, he, ur); the opt-out line the server appends to marketing
 * messages is shown greyed, so the author sees the whole text the recipient gets.
 */
import type { ReactNode } from 'react';

export function PhoneBubble({ sender, text, optOut, dir, lang, footer }: { sender: string; text: string; optOut?: string | null; dir: 'ltr' | 'rtl' | 'auto'; lang?: string; footer?: ReactNode }) {
  return (
    <div className="phone" data-testid="sms-phone">
      <div className="phone-sender">
        <bdi>{sender}</bdi>
      </div>
      <div className="phone-screen">
        <p className="bubble" dir={dir} lang={lang} data-testid="sms-bubble">
          {text}
          {optOut && (
            <>
              {text ? '\n' : ''}
              <span className="opt-out" data-testid="sms-opt-out">
                {optOut}
              </span>
            </>
          )}
        </p>
      </div>
      {footer && <div className="phone-footer">{footer}</div>}
    </div>
  );
}
