// One session: reference image, scores, challenge timeline, warnings, evidence verification, reviews, and the
// review form (Approve / Decline / Resubmit with a comment) while it is In Review.
import { useState, type FormEvent } from 'react';
import { api, type SessionDetail as Detail } from '../api';
import { canReview, useConsole, when } from '../context';
import { WARNINGS, type Warning } from '../../shared/catalogue';
import { warningKey, type StringKey } from '../i18n';
import { StatusBadge, useLoad, useStatusText } from './common';

function Check({ label, value }: { label: string; value: boolean | null }) {
  const { t } = useConsole();
  return (
    <li className={value === false ? 'bad' : value ? 'good' : ''}>
      {label}: <strong>{value === null ? t('notChecked') : value ? t('ok') : t('failed')}</strong>
    </li>
  );
}

function ReviewForm({ id, onDone }: { id: string; onDone: (status: string) => void }) {
  const { t, fail } = useConsole();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async (action: 'Approve' | 'Decline' | 'Resubmit', event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    try {
      const outcome = await api<{ status: string }>('POST', `sessions/${encodeURIComponent(id)}/review`, { action, comment });
      onDone(outcome.status);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card review" onSubmit={(event) => send('Approve', event)}>
      <h2>{t('reviewHeading')}</h2>
      <label>
        {t('comment')}
        <textarea name="comment" rows={3} maxLength={2000} value={comment} onChange={(event) => setComment(event.target.value)} />
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('approve')}
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => send('Decline')}>
          {t('decline')}
        </button>
        <button type="button" disabled={busy} onClick={() => send('Resubmit')}>
          {t('resubmit')}
        </button>
      </div>
    </form>
  );
}

/** A warning this console has a sentence for (a newer server's unknown code is shown as it came). */
const isWarning = (warning: string): warning is Warning => (WARNINGS as readonly string[]).includes(warning);

export function SessionDetail({ id }: { id: string }) {
  const { t, user } = useConsole();
  const { data, reload } = useLoad(() => api<Detail>('GET', `sessions/${encodeURIComponent(id)}`), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const statusText = useStatusText();
  if (!data) return <p>{t('loading')}</p>;
  const r = data.result;
  const score = (key: StringKey, value: number | null | undefined) => (
    <tr key={key}>
      <th scope="row">{t(key)}</th>
      <td className="number">{value === null || value === undefined ? '–' : Math.round(value)}</td>
    </tr>
  );
  const outcomes =
    r.challenge_outcomes ??
    r.challenge_sequence.map((challenge) => ({
      challenge,
      completed: r.challenges_completed.includes(challenge),
      reason: r.challenges_completed.includes(challenge) ? ('completed' as const) : ('not_reached' as const),
    }));
  const check = data.evidence.check;

  return (
    <section>
      <p>
        <a href="#/sessions">← {t('back')}</a>
      </p>
      <h1>
        {t('sessionHeading', { id: data.session_id })} <StatusBadge status={data.status} />
      </h1>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <div className="detail-grid">
        <div className="card">
          <h2>{t('referenceImage')}</h2>
          {data.has_image ? (
            <img
              className="reference"
              src={`/console/api/sessions/${encodeURIComponent(data.session_id)}/image`}
              alt={t('referenceImageAlt', { id: data.session_id })}
            />
          ) : (
            <p>{t('noImage')}</p>
          )}
          <dl>
            <dt>{t('method')}</dt>
            <dd>{t(`mode_${data.liveness_mode}` as StringKey)}</dd>
            <dt>{t('kiosk')}</dt>
            <dd className="mono">{data.kiosk}</dd>
            <dt>{t('created')}</dt>
            <dd>{when(data.created_at)}</dd>
            <dt>{t('received')}</dt>
            <dd>{when(data.received_at)}</dd>
            <dt>{t('attempts')}</dt>
            <dd>{t('attemptsOf', { used: r.attempts_used, max: r.max_attempts })}</dd>
          </dl>
        </div>
        <div className="card">
          <h2>{t('scores')}</h2>
          <table className="compact">
            <tbody>
              {score('livenessScore', r.liveness_score)}
              {score('threshold', r.liveness_threshold)}
              {score('passiveScore', r.passive_score)}
              {score('flashScore', r.flash_score)}
              {score('planarScore', r.planar_score)}
              {score('poseScore', r.pose_variation_score)}
              {score('expressionScore', r.expression_variation_score)}
              {score('faceQuality', r.face_quality)}
              {score('faceLuminance', r.face_luminance)}
            </tbody>
          </table>
          <h2>{t('warnings')}</h2>
          {r.warnings.length ? (
            <ul>
              {r.warnings.map((warning) => (
                <li key={warning} title={warning}>
                  {isWarning(warning) ? t(warningKey(warning)) : warning}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('none')}</p>
          )}
        </div>
        <div className="card">
          <h2>{t('timeline')}</h2>
          {outcomes.length === 0 ? (
            <p>{t('noChallenges')}</p>
          ) : (
            <ol className="timeline">
              {outcomes.map((outcome, index) => (
                <li key={`${outcome.challenge}-${index}`} className={outcome.completed ? 'good' : 'bad'}>
                  {t(`challenge_${outcome.challenge}` as StringKey)}:{' '}
                  {outcome.completed ? t('challengeDone') : `${t('challengeMissed')} (${t(`reason_${outcome.reason}` as StringKey)})`}
                </li>
              ))}
            </ol>
          )}
          {r.flash_sequence && <p>{t('flashSequence', { n: r.flash_sequence.steps.length })}</p>}
          <h2>{t('evidence')}</h2>
          <p className={check.verified ? 'good' : 'bad'}>{check.verified ? t('evidenceVerified') : t('evidenceFailed')}</p>
          <ul className="checks">
            <Check label={t('recordHash')} value={check.record_hash_ok} />
            <Check label={t('signature')} value={check.signature_ok} />
            <Check label={t('chainLink')} value={check.chain_link_ok} />
            <Check label={t('imageHash')} value={check.image_hash_ok} />
          </ul>
          <p className="mono small">
            #{data.evidence.seq} · {data.evidence.hash.slice(0, 16)}…
          </p>
        </div>
      </div>
      <div className="card">
        <h2>{t('reviews')}</h2>
        {data.reviews.length === 0 ? (
          <p>{t('noReviews')}</p>
        ) : (
          <ul>
            {data.reviews.map((review, index) => (
              <li key={index}>
                {when(review.reviewed_at)} ·{' '}
                {t('reviewBy', {
                  user: review.reviewer,
                  decision: statusText(review.decision),
                  from: statusText(review.previous_status),
                  to: statusText(review.new_status),
                })}
                {review.note && <blockquote>{review.note}</blockquote>}
              </li>
            ))}
          </ul>
        )}
      </div>
      {data.status === 'In Review' && canReview(user) && (
        <ReviewForm
          id={data.session_id}
          onDone={(status) => {
            setNotice(t('reviewSaved', { status: statusText(status) }));
            reload();
          }}
        />
      )}
    </section>
  );
}
