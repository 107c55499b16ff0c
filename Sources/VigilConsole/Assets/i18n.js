// Every label of the console in Vietnamese and English. Keys are stable; the page
// looks them up through t(). A missing key shows the key itself, which a test catches.
export const labels = {
  vi: {
    'console': 'Trung tâm giám sát',
    'tab.wall': 'Màn hình camera', 'tab.alarms': 'Cảnh báo', 'tab.search': 'Tra cứu sự kiện',
    'tab.traffic': 'Giao thông', 'tab.crowd': 'Đám đông', 'tab.editor': 'Vẽ vùng & vạch',
    'editor.add.zone': 'Thêm vùng', 'editor.add.line': 'Thêm vạch đếm', 'editor.finish': 'Xong hình', 'editor.delete': 'Xóa mục đang chọn',
    'editor.save': 'Lưu cấu hình', 'editor.shapes': 'Vùng và vạch',
    'editor.hint': 'Kéo các điểm để sửa hình; chuột phải vào một điểm của vùng để xóa điểm đó. Thêm vùng: bấm từng góc lên hình rồi bấm “Xong hình”. Thêm vạch: bấm hai đầu vạch.',
    'editor.zone': 'Vùng', 'editor.line': 'Vạch', 'editor.id': 'Tên (chữ, số, -, _)', 'editor.intrusion': 'Báo xâm nhập',
    'editor.loitering': 'Báo lảng vảng sau (giây)', 'editor.stopped': 'Báo xe dừng sau (giây)', 'editor.crowd': 'Mức đông người (số người, cách nhau bởi dấu phẩy)',
    'editor.a_to_b': 'Tên hướng A→B', 'editor.b_to_a': 'Tên hướng B→A', 'editor.saved': 'Đã lưu (bản sao lưu: {backup}). Đang chờ camera áp dụng…',
    'editor.applied': 'Camera đã áp dụng cấu hình mới.', 'editor.refused': 'Chưa lưu: cấu hình không hợp lệ.', 'editor.points': '{n} điểm',
    'signout': 'Đăng xuất', 'login.title': 'Đăng nhập', 'login.name': 'Tên đăng nhập', 'login.password': 'Mật khẩu',
    'login.submit': 'Đăng nhập', 'login.failed': 'Sai tên đăng nhập hoặc mật khẩu',
    'group': 'Nhóm camera', 'all': 'Tất cả', 'kiosk': 'Chế độ màn hình lớn',
    'live.alarms': 'Cảnh báo trực tiếp', 'live.empty': 'Chưa có cảnh báo nào.',
    'alarms.unacked': 'Chỉ cảnh báo chưa xác nhận',
    'more': 'Xem thêm', 'camera': 'Camera', 'type': 'Loại sự kiện', 'zone': 'Khu vực', 'from': 'Từ', 'to': 'Đến',
    'search': 'Tìm', 'csv': 'Xuất CSV', 'snapshot': 'Ảnh', 'time': 'Thời gian', 'where': 'Vị trí', 'why': 'Chi tiết',
    'acknowledged': 'Xác nhận', 'bucket': 'Khoảng thời gian', 'crowd.levels': 'Thay đổi mức độ đông người',
    'ack.title': 'Xác nhận cảnh báo', 'ack.note': 'Ghi chú (không bắt buộc)', 'ack.confirm': 'Xác nhận', 'cancel': 'Hủy',
    'ack.button': 'Xác nhận', 'ack.by': 'Đã xác nhận bởi {user} lúc {time}', 'ack.denied': 'Tài khoản của bạn chỉ được xem, không được xác nhận.',
    'state.streaming': 'Đang hoạt động', 'state.connecting': 'Đang kết nối', 'state.offline': 'Mất kết nối',
    'state.stalled': 'Đứng hình', 'state.not_running': 'Không chạy', 'state.finished': 'Đã xong', 'state.stopped': 'Đã dừng',
    'fps': '{fps} khung/giây', 'drops': 'bỏ {n} khung', 'people': '{n} người', 'vehicles': '{n} xe',
    'today': 'Hôm nay', 'no.picture': 'Chưa có hình', 'alarm.active': '{n} cảnh báo chưa xác nhận',
    'summary': '{n} camera · {on} đang hoạt động · {alarms} cảnh báo',
    'results': '{n} sự kiện', 'results.none': 'Không có sự kiện nào khớp.', 'loading': 'Đang tải…',
    'traffic.title': '{line} — {direction}', 'traffic.none': 'Chưa có lượt qua vạch nào trong 24 giờ qua.',
    'traffic.hint': 'Số lượt qua vạch mỗi {m} phút trong 24 giờ qua, theo hướng', 'crowd.hint': 'Số người trong từng khu vực, 24 giờ qua (lấy mẫu mỗi phút)',
    'crowd.none': 'Chưa có mẫu đếm người nào trong 24 giờ qua.', 'crowd.now': 'Hiện tại', 'crowd.no.levels': 'Chưa có thay đổi mức độ nào.',
    'crowd.no.zones': 'Camera này chưa có khu vực đếm người.',
    'heatmap': 'Bản đồ nhiệt: nơi có chuyển động kể từ khi camera bắt đầu chạy', 'level': 'mức {n}',
    'offline.stream': 'Mất kết nối tới máy chủ; đang thử lại…', 'error': 'Lỗi: {text}',
    'type.motion': 'Chuyển động', 'type.line_crossing': 'Qua vạch', 'type.traffic_flow': 'Lưu lượng giao thông',
    'type.congestion': 'Ùn tắc', 'type.stopped_vehicle': 'Xe dừng đỗ', 'type.wrong_way': 'Đi ngược chiều',
    'type.intrusion': 'Xâm nhập', 'type.loitering': 'Lảng vảng', 'type.abandoned_object': 'Vật bị bỏ lại',
    'type.crowd_level': 'Mức độ đông người', 'type.crowd_gathering': 'Tụ tập đông người', 'type.crowd_running': 'Đám đông chạy',
    'type.tamper': 'Camera bị can thiệp', 'type.camera_offline': 'Camera mất tín hiệu', 'type.camera_online': 'Camera có tín hiệu lại',
    'type.manual': 'Báo cáo thủ công', 'type.acknowledgement': 'Xác nhận',
    'state.start': 'bắt đầu', 'state.end': 'kết thúc',
    'data.seconds': '{v} giây', 'data.people': '{v} người', 'data.vehicles': '{v} xe', 'data.mean_speed': 'tốc độ TB {v}',
    'data.tracks': '{v} đối tượng', 'data.level': 'mức {v}', 'data.previous_level': 'trước đó mức {v}',
    'data.reason': 'lý do: {v}', 'data.offline_seconds': 'mất {v} giây', 'data.speed_kmh': '{v} km/h', 'data.count': '{v} lượt',
    'class.person': 'người', 'class.vehicle': 'xe', 'class.unknown': 'không rõ',
  },
  en: {
    'console': 'Operations console',
    'tab.wall': 'Camera wall', 'tab.alarms': 'Alarms', 'tab.search': 'Search events',
    'tab.traffic': 'Traffic', 'tab.crowd': 'Crowd', 'tab.editor': 'Zones & lines',
    'editor.add.zone': 'Add zone', 'editor.add.line': 'Add counting line', 'editor.finish': 'Finish shape', 'editor.delete': 'Delete selected',
    'editor.save': 'Save configuration', 'editor.shapes': 'Zones and lines',
    'editor.hint': 'Drag the points to change a shape; right-click a zone point to remove it. Add a zone: click each corner on the picture, then “Finish shape”. Add a line: click its two ends.',
    'editor.zone': 'Zone', 'editor.line': 'Line', 'editor.id': 'Name (letters, digits, -, _)', 'editor.intrusion': 'Intrusion alarm',
    'editor.loitering': 'Loitering alarm after (seconds)', 'editor.stopped': 'Stopped-vehicle alarm after (seconds)', 'editor.crowd': 'Crowd levels (people, separated by commas)',
    'editor.a_to_b': 'Name of direction A→B', 'editor.b_to_a': 'Name of direction B→A', 'editor.saved': 'Saved (backup: {backup}). Waiting for the camera to apply it…',
    'editor.applied': 'The camera now runs the new settings.', 'editor.refused': 'Not saved: the configuration would not be valid.', 'editor.points': '{n} points',
    'signout': 'Sign out', 'login.title': 'Sign in', 'login.name': 'User name', 'login.password': 'Password',
    'login.submit': 'Sign in', 'login.failed': 'Wrong user name or password',
    'group': 'Camera group', 'all': 'All', 'kiosk': 'Video-wall mode',
    'live.alarms': 'Live alarms', 'live.empty': 'No alarms yet.',
    'alarms.unacked': 'Only alarms not yet acknowledged',
    'more': 'More', 'camera': 'Camera', 'type': 'Event type', 'zone': 'Zone', 'from': 'From', 'to': 'To',
    'search': 'Search', 'csv': 'Export CSV', 'snapshot': 'Picture', 'time': 'Time', 'where': 'Where', 'why': 'Details',
    'acknowledged': 'Acknowledged', 'bucket': 'Interval', 'crowd.levels': 'Crowd level changes',
    'ack.title': 'Acknowledge alarm', 'ack.note': 'Note (optional)', 'ack.confirm': 'Acknowledge', 'cancel': 'Cancel',
    'ack.button': 'Acknowledge', 'ack.by': 'Acknowledged by {user} at {time}', 'ack.denied': 'Your account can view but not acknowledge.',
    'state.streaming': 'Streaming', 'state.connecting': 'Connecting', 'state.offline': 'Offline',
    'state.stalled': 'Stalled', 'state.not_running': 'Not running', 'state.finished': 'Finished', 'state.stopped': 'Stopped',
    'fps': '{fps} fps', 'drops': '{n} dropped', 'people': '{n} people', 'people.one': '1 person',
    'vehicles': '{n} vehicles', 'vehicles.one': '1 vehicle', 'alarm.active.one': '1 alarm to acknowledge',
    'results.one': '1 event', 'data.people.one': '1 person', 'data.vehicles.one': '1 vehicle', 'data.tracks.one': '1 object',
    'summary.one': '1 camera · {on} streaming · {alarms} alarms',
    'today': 'Today', 'no.picture': 'No picture yet', 'alarm.active': '{n} alarms to acknowledge',
    'summary': '{n} cameras · {on} streaming · {alarms} alarms',
    'results': '{n} events', 'results.none': 'No events match.', 'loading': 'Loading…',
    'traffic.title': '{line} — {direction}', 'traffic.none': 'No line crossings in the last 24 hours.',
    'traffic.hint': 'Crossings per {m} minutes, last 24 hours, by direction', 'crowd.hint': 'People per zone, last 24 hours (sampled every minute)',
    'crowd.none': 'No people counts sampled in the last 24 hours.', 'crowd.now': 'Now', 'crowd.no.levels': 'No level changes yet.',
    'crowd.no.zones': 'This camera has no zones that count people.',
    'heatmap': 'Heatmap: where motion has been since the camera started', 'level': 'level {n}',
    'offline.stream': 'Lost the connection to the server; retrying…', 'error': 'Error: {text}',
    'type.motion': 'Motion', 'type.line_crossing': 'Line crossing', 'type.traffic_flow': 'Traffic flow',
    'type.congestion': 'Congestion', 'type.stopped_vehicle': 'Stopped vehicle', 'type.wrong_way': 'Wrong way',
    'type.intrusion': 'Intrusion', 'type.loitering': 'Loitering', 'type.abandoned_object': 'Abandoned object',
    'type.crowd_level': 'Crowd level', 'type.crowd_gathering': 'Crowd gathering', 'type.crowd_running': 'Crowd running',
    'type.tamper': 'Camera tampered', 'type.camera_offline': 'Camera offline', 'type.camera_online': 'Camera back online',
    'type.manual': 'Manual report', 'type.acknowledgement': 'Acknowledgement',
    'state.start': 'started', 'state.end': 'ended',
    'data.seconds': '{v} s', 'data.people': '{v} people', 'data.vehicles': '{v} vehicles', 'data.mean_speed': 'mean speed {v}',
    'data.tracks': '{v} objects', 'data.level': 'level {v}', 'data.previous_level': 'was level {v}',
    'data.reason': 'reason: {v}', 'data.offline_seconds': 'offline {v} s', 'data.speed_kmh': '{v} km/h', 'data.count': '{v} crossings',
    'class.person': 'person', 'class.vehicle': 'vehicle', 'class.unknown': 'unknown',
  },
};

let current = 'vi';
export function setLanguage(language) { current = labels[language] ? language : 'vi'; }
export function language() { return current; }

export function t(key, values = {}) {
  // English needs a singular; Vietnamese has no plural forms, so it has no '.one' keys.
  const one = (values.n === 1 || values.v === 1) && labels[current][`${key}.one`];
  const text = one || (labels[current][key] ?? labels.en[key] ?? key);
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ''));
}

export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
}
