/** A message the server sends: plain text, to one person (the From is the channel's, TESSERA_MAIL_FROM). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}
