/**
 * Requests signed by the official Huawei Cloud Node SDK (`@huaweicloud/huaweicloud-sdk-core`),
 * built the way its own HcClient builds them: HttpRequestBuilder (HcClient.buildRequest), then
 * the credentials' processAuthRequest, which calls AKSKSigner.sign. The wire form is what its
 * HTTP client (axios) sends for that request: the endpoint parsed as a WHATWG URL, the query
 * from `querystring.stringify` (DefaultHttpClient's paramsSerializer), JSON.stringify(data).
 */
import { stringify } from 'node:querystring';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';

export interface SdkRequest {
  method: string;
  /** The path as given to the SDK (its `url` after pathParams are substituted, unencoded). */
  path: string;
  query?: Record<string, string | string[]>;
  /** An object the SDK sends as JSON. */
  data?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface SignedBySdk {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  /** Every header the SDK signed, plus Authorization. */
  headers: Record<string, string>;
  body: string | undefined;
}

export async function signWithSdk(
  base: string,
  credentials: { accessKey: string; secretKey: string },
  request: SdkRequest,
): Promise<SignedBySdk> {
  const cred = new BasicCredentials().withAk(credentials.accessKey).withSk(credentials.secretKey);
  const headers: Record<string, string> = { ...request.headers };
  if (request.data !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const built = new HttpRequestBuilder()
    .withEndpoint(base)
    .withUrl(request.path)
    .withHeaders(headers)
    .withMethod(request.method)
    .withPathParams({})
    .withData(request.data)
    .withQueryParams(request.query ?? {})
    .build();
  // processAuthRequest uses the HcClient only to refresh federated tokens, which BasicCredentials lacks.
  const signed = await cred.processAuthRequest(undefined as never, built);
  const query = stringify(request.query ?? {});
  const url = new URL(`${base}${request.path}${query ? `?${query}` : ''}`);
  return {
    method: request.method,
    target: `${url.pathname}${url.search}`,
    headers: { ...(signed.headers as Record<string, string>) },
    body: request.data === undefined ? undefined : JSON.stringify(request.data),
  };
}
