import { listeningAt } from './listen-address';

describe('listeningAt', () => {
  it('reports the bound loopback address and port', () => {
    expect(listeningAt({ address: '127.0.0.1', family: 'IPv4', port: 3300 }, '127.0.0.1')).toEqual({
      address: 'http://127.0.0.1:3300',
      url: 'http://127.0.0.1:3300',
      everywhere: false,
    });
  });

  it('says when every interface is bound, and offers a local URL', () => {
    const at = listeningAt({ address: '0.0.0.0', family: 'IPv4', port: 80 }, '0.0.0.0');
    expect(at).toEqual({ address: 'http://0.0.0.0:80 (every interface)', url: 'http://127.0.0.1:80', everywhere: true });
    expect(listeningAt({ address: '::', family: 'IPv6', port: 81 }, '::').address).toBe('http://[::]:81 (every interface)');
  });

  it('brackets IPv6 addresses', () => {
    expect(listeningAt({ address: '::1', family: 'IPv6', port: 9 }, '::1').url).toBe('http://[::1]:9');
  });
});
