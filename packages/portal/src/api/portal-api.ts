import { HttpClient, type HttpClientOptions } from './http-client';
import type {
  AccountDetail,
  AccountList,
  CardView,
  DepositBody,
  NewCard,
  NewDeposit,
  OrderDetail,
  OrderList,
  ResendView,
  RevealedReward,
  ApiKeyList,
  ApiKeySecret,
  ApiKeyView,
  AuditPage,
  AudienceList,
  ClientLimits,
  ClientLimitsBody,
  ClientList,
  ClientView,
  NewClient,
  InvitationPreview,
  InviteBody,
  LinkPasswordBody,
  NewInvitation,
  SignInBody,
  SignUpBody,
  SignUpModeView,
  SignUpPreview,
  SignUpRequested,
  Session,
  UserList,
} from './types';
import { auditQuery, type AuditFilters } from './audit-query';
import { orderQuery, type OrderFilters } from './order-query';
import { currentRoute, navigate, parseHash } from '../router/hash-location';
import { matchRoute, PUBLIC_ROUTES, signInRoute } from '../router/routes';

const BASE = '/portal/api';
const id = encodeURIComponent;

/** Every route of docs/portal-api.md, typed. Sessions it receives set the CSRF token it sends. */
export class PortalApi {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions = {}) {
    this.http = new HttpClient(options);
    this.http.onUnauthenticated(backToSignIn);
  }

  private remember = (session: Session): Session => {
    this.http.setCsrfToken(session.csrfToken);
    return session;
  };

  session = () => this.http.request<Session>('GET', `${BASE}/session`).then(this.remember);
  signUpMode = () => this.http.request<SignUpModeView>('GET', `${BASE}/signup`).then((answer) => answer.mode);
  /** A session when sign-up is open (201); a link mailed to the address when verified (202, the same answer for every address). */
  signUp = (body: SignUpBody) =>
    this.http
      .request<Session | SignUpRequested>('POST', `${BASE}/signup`, body)
      .then((answer) => ('csrfToken' in answer ? this.remember(answer) : answer));
  previewSignUp = (token: string) => this.http.request<SignUpPreview>('POST', `${BASE}/signup/preview`, { token });
  finishSignUp = (body: LinkPasswordBody) =>
    this.http.request<Session>('POST', `${BASE}/signup/finish`, body).then(this.remember);
  signIn = (body: SignInBody) =>
    this.http.request<Session>('POST', `${BASE}/signin`, body).then(this.remember);
  /** The token goes in the body, never a URL: no log or proxy on the way keeps it. */
  previewInvitation = (token: string) => this.http.request<InvitationPreview>('POST', `${BASE}/invitations/preview`, { token });
  acceptInvitation = (body: LinkPasswordBody) =>
    this.http.request<Session>('POST', `${BASE}/invitations/accept`, body).then(this.remember);
  reauthenticate = (password: string) =>
    this.http.request<Session>('POST', `${BASE}/session/reauth`, { password }).then(this.remember);
  signOut = async (): Promise<void> => {
    await this.http.request<void>('POST', `${BASE}/signout`);
    this.http.setCsrfToken(null);
  };

  users = () => this.http.request<UserList>('GET', `${BASE}/users`);
  invite = (body: InviteBody) =>
    this.http.request<NewInvitation>('POST', `${BASE}/invitations`, body);
  cancelInvitation = (invitationId: string) =>
    this.http.request<void>('DELETE', `${BASE}/invitations/${id(invitationId)}`);
  removeUser = (userId: string) => this.http.request<void>('DELETE', `${BASE}/users/${id(userId)}`);

  clients = () => this.http.request<ClientList>('GET', `${BASE}/oauth-clients`);
  createClient = (name: string) =>
    this.http.request<NewClient>('POST', `${BASE}/oauth-clients`, name === '' ? {} : { name });
  clientAction = (clientId: string, action: 'activate' | 'deactivate' | 'reset-quota') =>
    this.http.request<ClientView>('POST', `${BASE}/oauth-clients/${id(clientId)}/${action}`);
  deleteClient = (clientId: string) =>
    this.http.request<void>('DELETE', `${BASE}/oauth-clients/${id(clientId)}`);
  /** A client's own token limits (admins); clearing answers the default now in force. */
  setClientLimits = (clientId: string, limits: ClientLimitsBody) =>
    this.http.request<ClientLimits>('PUT', `${BASE}/oauth-clients/${id(clientId)}/limits`, limits);
  clearClientLimits = (clientId: string) =>
    this.http.request<ClientLimits>('DELETE', `${BASE}/oauth-clients/${id(clientId)}/limits`);
  /** The audiences tokens may be issued for, with their lifetimes (read-only). */
  audiences = () => this.http.request<AudienceList>('GET', `${BASE}/audiences`);

  apiKeys = () => this.http.request<ApiKeyList>('GET', `${BASE}/api-keys`);
  createApiKey = () => this.http.request<ApiKeySecret>('POST', `${BASE}/api-keys`);
  revealApiKey = (keyId: string) =>
    this.http.request<ApiKeySecret>('POST', `${BASE}/api-keys/${id(keyId)}/reveal`);
  /** The key for the clipboard, never shown: the audit log records `copy`, not `reveal`. */
  copyApiKey = (keyId: string) => this.http.request<ApiKeySecret>('POST', `${BASE}/api-keys/${id(keyId)}/copy`);
  apiKeyAction = (keyId: string, action: 'activate' | 'deactivate') =>
    this.http.request<ApiKeyView>('POST', `${BASE}/api-keys/${id(keyId)}/${action}`);
  deleteApiKey = (keyId: string) => this.http.request<void>('DELETE', `${BASE}/api-keys/${id(keyId)}`);

  accounts = () => this.http.request<AccountList>('GET', `${BASE}/accounts`);
  account = (accountIdentifier: string) => this.http.request<AccountDetail>('GET', `${BASE}/accounts/${id(accountIdentifier)}`);
  /** The card number goes to the server once, in the body: it is never kept, here or there. */
  registerCard = (accountIdentifier: string, card: NewCard) =>
    this.http.request<CardView>('POST', `${BASE}/accounts/${id(accountIdentifier)}/cards`, card);
  unregisterCard = (accountIdentifier: string, token: string) =>
    this.http.request<CardView>('POST', `${BASE}/accounts/${id(accountIdentifier)}/cards/${id(token)}/unregister`);
  deposit = (accountIdentifier: string, body: DepositBody) =>
    this.http.request<NewDeposit>('POST', `${BASE}/accounts/${id(accountIdentifier)}/deposits`, body);

  orders = (filters: OrderFilters, page: number, elementsPerBlock: number) =>
    this.http.request<OrderList>('GET', `${BASE}/orders${orderQuery(filters, page, elementsPerBlock)}`);
  order = (referenceOrderID: string) => this.http.request<OrderDetail>('GET', `${BASE}/orders/${id(referenceOrderID)}`);
  /** The reward's codes in full: the audit log records `reveal_reward`. */
  revealReward = (referenceOrderID: string) => this.http.request<RevealedReward>('POST', `${BASE}/orders/${id(referenceOrderID)}/reward/reveal`);
  resendOrder = (referenceOrderID: string, newEmail?: string) =>
    this.http.request<ResendView>('POST', `${BASE}/orders/${id(referenceOrderID)}/resends`, newEmail === undefined ? {} : { newEmail });

  audit = (filters: AuditFilters, before: number | null = null) =>
    this.http.request<AuditPage>('GET', `${BASE}/audit${auditQuery(filters, before)}`);
  auditCsvUrl = (filters: AuditFilters): string => `${BASE}/audit.csv${auditQuery(filters, null)}`;
}

/** The session is gone: to sign-in, keeping the route the person wanted for after it. */
function backToSignIn(): void {
  const { path, query } = parseHash(window.location.hash);
  const route = matchRoute(path, query).name;
  if (PUBLIC_ROUTES.has(route) || route === 'not-found') return;
  navigate(signInRoute(currentRoute()), { replace: true });
}
